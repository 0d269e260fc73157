import t, { type Test } from 'tap'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import { DEFAULT_FALLBACK_MESSAGE, defineStep, StepFailure } from '../lib/index.js'
import { hsl, summaryOf } from '../lib/hsl/index.js'
import { envelope, haptikApp, signedPost } from './helpers/haptik.js'
import { ACTIONABLE_TYPES, ActionableSchema, QuickReplySchema, URIS } from '../lib/hsl/actionable.js'
import { FORM_FIELD_TYPES, FORM_KEYBOARD_TYPES, type FormFieldOptions, FormFieldSchema, HslFormSchema } from '../lib/hsl/form.js'
import { HslButtonSchema } from '../lib/hsl/button.js'
import { HslCarouselSchema } from '../lib/hsl/carousel.js'
import { HslMessageSchema, HslOtherSchema } from '../lib/hsl/message.js'
import { HslNativeActionSchema } from '../lib/hsl/native-action.js'
import { HslSilentSchema, SilentActionSchema } from '../lib/hsl/silent.js'
import { HslSystemSchema } from '../lib/hsl/system.js'
import { HslTextSchema } from '../lib/hsl/text.js'
import { captureLogs } from './helpers/logs.js'

// What Haptik's own builder, hellohaptik/python-hsl (develop, 52ec7e2), emits
// (scripts/python-hsl-cases.py prints these strings again from a checkout).
// Each string below was printed by `json.dumps(x.to_hsl())` with python-hsl's
// code (hsl_builder/*.py) for the Python shown above it, the same input as the
// TypeScript call it is compared with. Python writes 1.0 where JavaScript
// writes 1: the same JSON number, so the comparison parses both.
const PYTHON = {
  // hsl_builder/text.py: Text('Hello')
  text: '{"text": "Hello", "type": "TEXT", "voice_text": "", "data": {"quick_replies": []}}',
  // hsl_builder/text.py, elements/actionable.py:
  //   t = Text('Pick one'); t.voice_text = 'Pick one: yes or no'
  //   Actionable('Yes', ActionableType.TEXT_ONLY, URI.NONE), payload {'message': 'Yes', 'gogo_message': ''}
  //   Actionable('No', ActionableType.TEXT_ONLY, URI.NONE), is_default True, payload {'message': 'No thanks', 'gogo_message': 'no{confirm:0}'}
  textQuickReplies: '{"text": "Pick one", "type": "TEXT", "voice_text": "Pick one: yes or no", "data": {"quick_replies": [{"actionable_text": "Yes", "type": "TEXT_ONLY", "uri": "", "is_default": 0, "location_required": false, "payload": {"message": "Yes", "gogo_message": ""}}, {"actionable_text": "No", "type": "TEXT_ONLY", "uri": "", "is_default": 1, "location_required": false, "payload": {"message": "No thanks", "gogo_message": "no{confirm:0}"}}]}}',
  // python-hsl README.md: Button('Title') with Actionable('actionable text', APP_ACTION, LINK), payload {'url': 'https://www.haptik.ai'}
  buttonReadme: '{"text": "Title", "type": "BUTTON", "voice_text": "", "data": {"items": [{"actionable_text": "actionable text", "type": "APP_ACTION", "uri": "LINK", "is_default": 0, "location_required": false, "payload": {"url": "https://www.haptik.ai"}}]}}',
  // hsl_builder/button.py: Button('Need more help?'), voice_text set, with
  //   Actionable('Open FAQ', APP_ACTION, LINK), payload {'url': 'https://example.test/faq', 'gogo_message': ''}
  //   Actionable('Talk to agent', TEXT_ONLY, NONE), payload {'message': 'Talk to agent', 'gogo_message': 'agent'}
  //   Actionable('My orders', APP_ACTION, SELF_SERVE_WEB), is_default True, payload {'url': …, 'link': '', 'gogo_message': ''}
  //   Actionable('View Price', TEXT_ONLY, LAUNCH_CHANNEL), payload {'gogo_message': '', 'message': 'I want to check the price of this test'}
  buttonHelpers: '{"text": "Need more help?", "type": "BUTTON", "voice_text": "Need more help? Open the FAQ or talk to an agent.", "data": {"items": [{"actionable_text": "Open FAQ", "type": "APP_ACTION", "uri": "LINK", "is_default": 0, "location_required": false, "payload": {"url": "https://example.test/faq", "gogo_message": ""}}, {"actionable_text": "Talk to agent", "type": "TEXT_ONLY", "uri": "", "is_default": 0, "location_required": false, "payload": {"message": "Talk to agent", "gogo_message": "agent"}}, {"actionable_text": "My orders", "type": "APP_ACTION", "uri": "SELF_SERVE_WEB", "is_default": 1, "location_required": false, "payload": {"url": "https://example.test/orders", "link": "", "gogo_message": ""}}, {"actionable_text": "View Price", "type": "TEXT_ONLY", "uri": "LAUNCH_CHANNEL", "is_default": 0, "location_required": false, "payload": {"gogo_message": "", "message": "I want to check the price of this test"}}]}}',
  // hsl_builder/button.py: Button('Send us the document') with Actionables
  //   IMAGE_UPLOAD, GALLERY_PICKER, DOCUMENT_PICKER (APP_ACTION, payload {}),
  //   SEND_LOCATION (payload {'lat_key': 'store_lat', 'lng_key': 'store_lng', 'gogo_message': ''}),
  //   APP_FEEDBACK (URI.NONE, payload {}), SHARE (URI.NONE, payload {'show_share_option': True, 'image': …, 'gogo_message': '', 'message': …})
  buttonScreens: '{"text": "Send us the document", "type": "BUTTON", "voice_text": "", "data": {"items": [{"actionable_text": "Take a photo", "type": "APP_ACTION", "uri": "IMAGE_UPLOAD", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "Pick a photo", "type": "APP_ACTION", "uri": "GALLERY_PICKER", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "Upload a PDF", "type": "APP_ACTION", "uri": "DOCUMENT_PICKER", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "Share location", "type": "APP_ACTION", "uri": "SEND_LOCATION", "is_default": 0, "location_required": false, "payload": {"lat_key": "store_lat", "lng_key": "store_lng", "gogo_message": ""}}, {"actionable_text": "Rate us", "type": "APP_FEEDBACK", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": ":share: Share", "type": "SHARE", "uri": "", "is_default": 0, "location_required": false, "payload": {"show_share_option": true, "image": "https://example.test/tip.png", "gogo_message": "", "message": "A great Saving Tip for you!"}}]}}',
  // hsl_builder/carousel.py, elements/carousel_item.py: Carousel('Pick one'), width MEDIUM, aspect_ratio 0.5,
  //   CarouselItem('Item title', 'Item subtitle'), description 'desc', thumbnail 'https://img/x.png', meta 'meta-str',
  //   Actionable('Buy', APP_ACTION, LINK), payload {'url': 'https://example.test/buy', 'gogo_message': ''}
  carousel: '{"text": "Pick one", "type": "CAROUSEL", "voice_text": "", "data": {"image_aspect_ratio": 0.5, "width": "MEDIUM", "items": [{"title": "Item title", "sub_title": "Item subtitle", "description": "desc", "actionables": [{"actionable_text": "Buy", "type": "APP_ACTION", "uri": "LINK", "is_default": 0, "location_required": false, "payload": {"url": "https://example.test/buy", "gogo_message": ""}}], "meta": "meta-str", "thumbnail": {"image": "https://img/x.png"}}]}}',
  // Carousel('Your orders') with CarouselItem('Order AB1234', '') and CarouselItem('', '') whose thumbnail is set: the defaults
  carouselDefaults: '{"text": "Your orders", "type": "CAROUSEL", "voice_text": "", "data": {"image_aspect_ratio": 1.0, "width": "THIN", "items": [{"title": "Order AB1234", "sub_title": "", "description": "", "actionables": [], "meta": "", "thumbnail": {"image": ""}}, {"title": "", "sub_title": "", "description": "", "actionables": [], "meta": "", "thumbnail": {"image": "https://example.test/a.png"}}]}}',
  // python-hsl has no image builder; hsl.image is its card like any other (hsl_builder/carousel.py, elements/carousel_item.py):
  //   Carousel('Your receipt'), width FAT, aspect_ratio 1.77 (docs/hsl/image.md), CarouselItem('', '') with thumbnail 'https://example.test/receipt.png'
  image: '{"text": "Your receipt", "type": "CAROUSEL", "voice_text": "", "data": {"image_aspect_ratio": 1.77, "width": "FAT", "items": [{"title": "", "sub_title": "", "description": "", "actionables": [], "meta": "", "thumbnail": {"image": "https://example.test/receipt.png"}}]}}',
  // The same with width BIG, aspect_ratio 1.0, voice_text 'Here is your receipt' and thumbnail 'https://x.test/i.png'
  imageOptions: '{"text": "Your receipt", "type": "CAROUSEL", "voice_text": "Here is your receipt", "data": {"image_aspect_ratio": 1.0, "width": "BIG", "items": [{"title": "", "sub_title": "", "description": "", "actionables": [], "meta": "", "thumbnail": {"image": "https://x.test/i.png"}}]}}',
  // Carousel('Scorecards'), aspect_ratio 1.69, CarouselItem('DD: 166/7 (20.0 overs)', 'KXIP: Bowling') with a thumbnail and
  //   Actionable('View Scorecard', APP_ACTION, CAROUSEL_DETAIL) with the payload of docs/hsl/carousel.md
  carouselDetail: '{"text": "Scorecards", "type": "CAROUSEL", "voice_text": "", "data": {"image_aspect_ratio": 1.69, "width": "THIN", "items": [{"title": "DD: 166/7 (20.0 overs)", "sub_title": "KXIP: Bowling", "description": "", "actionables": [{"actionable_text": "View Scorecard", "type": "APP_ACTION", "uri": "CAROUSEL_DETAIL", "is_default": 0, "location_required": false, "payload": {"title": "DD vs. KXIP", "sub_title": "1st Innings", "description": "DD: 166/7 (20.0 overs)", "images": ["https://example.test/bat1.png", "https://example.test/bowl1.png"], "gogo_message": "", "link": ""}}], "meta": "", "thumbnail": {"image": "https://example.test/innings1.png"}}]}}',
  // hsl_builder/form.py, elements/form_field.py: Form('Book a table', 'We need a few details') with
  //   FormField('email', TEXT, 1, 'Your email', 'email'), keyboard_type EMAIL
  //   FormField('guests', PICKER, 2, 'Guests', ''), options ['1', '2', '3', '4']
  //   FormField('area', SEARCH, 3, 'Area', ''), search_source and search_placeholder set
  //   FormField('name', TEXT, 4, 'Name', ''), autofill 'Asha Rao', autofill_source 'profile'
  form: '{"title": "Book a table", "type": "FORM", "subtitle": "We need a few details", "data": {"fields": [{"key": "email", "type": "text", "keyboard_type": "email", "order": 1, "icon": "email", "hint": "Your email", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "guests", "type": "picker", "keyboard_type": "normal", "order": 2, "icon": "", "hint": "Guests", "options": ["1", "2", "3", "4"], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "area", "type": "search", "keyboard_type": "normal", "order": 3, "icon": "", "hint": "Area", "options": [], "search_source": "https://api.example.test/areas", "search_placeholder": "Type an area", "autofill": "", "autofill_source": ""}, {"key": "name", "type": "text", "keyboard_type": "normal", "order": 4, "icon": "", "hint": "Name", "options": [], "search_source": "", "search_placeholder": "", "autofill": "Asha Rao", "autofill_source": "profile"}]}}',
  // tests/test_form_field.py: FormField('key', type, 1, 'hint', 'icon') for each FormFieldType, in the enum's order
  formFieldTypes: '[{"key": "key", "type": "text", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "picker", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "time", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "date", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "contactpicker", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "startdate", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "enddate", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "search", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "searcheditable", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "savedaddress", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "dob", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "multidaypicker", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "multiselectpicker", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}]',
  // tests/test_form_field.py: the same field with each FormKeyboardType
  formKeyboardTypes: '[{"key": "key", "type": "text", "keyboard_type": "normal", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "text", "keyboard_type": "number", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}, {"key": "key", "type": "text", "keyboard_type": "email", "order": 1, "icon": "icon", "hint": "hint", "options": [], "search_source": "", "search_placeholder": "", "autofill": "", "autofill_source": ""}]',
  // tests/test_system.py: System('complete', SystemEvents.COMPLETE)
  systemComplete: '{"text": "complete", "type": "SYSTEM", "voice_text": "", "data": {"event_name": "chat_complete", "payload": {}}}',
  // tests/test_system.py: System('waiting', SystemEvents.PINNED), payload {'key': 'value', 'agent': 'agent_name'}
  systemPinned: '{"text": "waiting", "type": "SYSTEM", "voice_text": "", "data": {"event_name": "chat_pinned", "payload": {"key": "value", "agent": "agent_name"}}}',
  // tests/test_silent_action.py: SilentAction('Action', 1, 'via_name')
  silentActionDefault: '{"type": "Action", "data": {"Id": 1, "via_name": "via_name"}}',
  // hsl_builder/silent.py: Silent('silent') with SilentAction('Action', 7, 'via'), data {'key': 'value'}
  silent: '{"text": "silent", "type": "SILENT", "voice_text": "", "data": {"silent_actions": [{"type": "Action", "data": {"key": "value", "Id": 7, "via_name": "via"}}]}}',
  // elements/silent_action.py: SilentAction('Action', 7, 'via'), data {'via_name': 'mine', 'key': 'value', 'Id': 0}: Id and via_name overwritten in place
  silentActionOverwrite: '{"type": "Action", "data": {"via_name": "via", "key": "value", "Id": 7}}',
  // tests/test_native_action.py: NativeAction('title', 'METHOD')
  nativeAction: '{"text": "title", "type": "NATIVE_ACTION", "voice_text": "", "data": {"method": "METHOD"}}',
  // NativeAction('Opening your cart', 'open_cart'), voice_text 'Opening your cart'
  nativeActionVoice: '{"text": "Opening your cart", "type": "NATIVE_ACTION", "voice_text": "Opening your cart", "data": {"method": "open_cart"}}',
  // tests/test_actionable.py: Actionable('title', type, URI.NONE) for each ActionableType, in the enum's order
  actionableTypes: '[{"actionable_text": "title", "type": "APP_ACTION", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "MESSAGE_BAR", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "FORM_SHOW", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "SHARE_RECEIPT", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "APP_FEEDBACK", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "SHARE", "uri": "", "is_default": 0, "location_required": false, "payload": {}}]',
  // tests/test_actionable.py: Actionable('title', TEXT_ONLY, uri) for each URI, in the enum's order
  uris: '[{"actionable_text": "title", "type": "TEXT_ONLY", "uri": "", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "SEND_LOCATION", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "CAROUSEL_DETAIL", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "GALLERY_PICKER", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "IMAGE_UPLOAD", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "DOCUMENT_PICKER", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "LAUNCH_CHANNEL", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "LINK", "is_default": 0, "location_required": false, "payload": {}}, {"actionable_text": "title", "type": "TEXT_ONLY", "uri": "SELF_SERVE_WEB", "is_default": 0, "location_required": false, "payload": {}}]',
  // tests/test_actionable.py: Actionable('title', TEXT_ONLY, NONE), is_default True, location_required True, payload {'key': 'value'}
  actionableAll: '{"actionable_text": "title", "type": "TEXT_ONLY", "uri": "", "is_default": 1, "location_required": true, "payload": {"key": "value"}}'
}

/** The same JSON, key for key and in the same order, as python-hsl's. */
function sameAsPython (t: Test, built: unknown, python: string, what: string) {
  t.equal(JSON.stringify(built), JSON.stringify(JSON.parse(python)), what)
}

const check = (schema: TSchema, value: unknown) => TypeCompiler.Compile(schema).Check(value)

t.test('each builder emits what python-hsl emits for the same input, key for key', async t => {
  sameAsPython(t, hsl.text('Hello'), PYTHON.text, 'Text')
  sameAsPython(t, hsl.text('Pick one', {
    voiceText: 'Pick one: yes or no',
    quickReplies: [hsl.quickReply('Yes'), hsl.quickReply('No', { message: 'No thanks', gogoMessage: 'no{confirm:0}', isDefault: true })]
  }), PYTHON.textQuickReplies, 'Text with quick replies (complete actionables) and voice text')
  sameAsPython(t, hsl.button('Title', [hsl.actionable('actionable text', { type: 'APP_ACTION', uri: 'LINK', payload: { url: 'https://www.haptik.ai' } })]),
    PYTHON.buttonReadme, 'Button of python-hsl\'s README')
  sameAsPython(t, hsl.button('Need more help?', [
    hsl.link('Open FAQ', 'https://example.test/faq'),
    hsl.sendMessage('Talk to agent', { gogoMessage: 'agent' }),
    hsl.webview('My orders', 'https://example.test/orders', { isDefault: true }),
    hsl.launchChannel('View Price', { message: 'I want to check the price of this test' })
  ], { voiceText: 'Need more help? Open the FAQ or talk to an agent.' }), PYTHON.buttonHelpers, 'Button with the action helpers')
  sameAsPython(t, hsl.button('Send us the document', [
    hsl.imageUpload('Take a photo'),
    hsl.galleryPicker('Pick a photo'),
    hsl.documentPicker('Upload a PDF'),
    hsl.sendLocation('Share location', { latKey: 'store_lat', lngKey: 'store_lng' }),
    hsl.feedback('Rate us'),
    hsl.share(':share: Share', { image: 'https://example.test/tip.png', message: 'A great Saving Tip for you!' })
  ]), PYTHON.buttonScreens, 'Button with pickers, location, feedback and share')
  sameAsPython(t, hsl.carousel([{
    title: 'Item title',
    subTitle: 'Item subtitle',
    description: 'desc',
    image: 'https://img/x.png',
    meta: 'meta-str',
    actions: [hsl.link('Buy', 'https://example.test/buy')]
  }], { text: 'Pick one', width: 'MEDIUM', imageAspectRatio: 0.5 }), PYTHON.carousel, 'Carousel')
  sameAsPython(t, hsl.carousel([{ title: 'Order AB1234' }, { image: 'https://example.test/a.png' }], { text: 'Your orders' }),
    PYTHON.carouselDefaults, 'Carousel defaults: THIN, aspect ratio 1, every card key present')
  sameAsPython(t, hsl.carousel([{
    title: 'DD: 166/7 (20.0 overs)',
    subTitle: 'KXIP: Bowling',
    image: 'https://example.test/innings1.png',
    actions: [hsl.carouselDetail('View Scorecard', {
      title: 'DD vs. KXIP',
      subTitle: '1st Innings',
      description: 'DD: 166/7 (20.0 overs)',
      images: ['https://example.test/bat1.png', 'https://example.test/bowl1.png']
    })]
  }], { text: 'Scorecards', imageAspectRatio: 1.69 }), PYTHON.carouselDetail, 'Carousel with a detail screen')
  sameAsPython(t, hsl.image('https://example.test/receipt.png', { text: 'Your receipt' }), PYTHON.image,
    'image: Carousel with one CarouselItem(\'\', \'\') holding the thumbnail, every card key present')
  sameAsPython(t, hsl.image('https://x.test/i.png', { text: 'Your receipt', width: 'BIG', aspectRatio: 1, voiceText: 'Here is your receipt' }),
    PYTHON.imageOptions, 'image with its options')
  t.same(Object.keys(hsl.image('https://x.test/i.png').data.items[0]), Object.keys(hsl.carousel([{ title: 'A', image: 'https://x.test/a.png' }]).data.items[0]),
    'an image card has the keys of any other card, in the same order')
  sameAsPython(t, hsl.form('Book a table', [
    { key: 'email', type: 'text', hint: 'Your email', icon: 'email', keyboardType: 'email' },
    { key: 'guests', type: 'picker', hint: 'Guests', options: ['1', '2', '3', '4'] },
    { key: 'area', type: 'search', hint: 'Area', searchSource: 'https://api.example.test/areas', searchPlaceholder: 'Type an area' },
    { key: 'name', type: 'text', hint: 'Name', autofill: 'Asha Rao', autofillSource: 'profile' }
  ], { subtitle: 'We need a few details' }), PYTHON.form, 'Form: no text, no voice_text; fields numbered in order')
  sameAsPython(t, hsl.system('complete', 'chat_complete'), PYTHON.systemComplete, 'System chat_complete')
  sameAsPython(t, hsl.system('waiting', 'chat_pinned', { payload: { key: 'value', agent: 'agent_name' } }), PYTHON.systemPinned, 'System chat_pinned')
  sameAsPython(t, hsl.silentAction('Action', 1, 'via_name'), PYTHON.silentActionDefault, 'SilentAction')
  sameAsPython(t, hsl.silent('silent', [hsl.silentAction('Action', 7, 'via', { key: 'value' })]), PYTHON.silent, 'Silent')
  sameAsPython(t, hsl.silentAction('Action', 7, 'via', { via_name: 'mine', key: 'value', Id: 0 }), PYTHON.silentActionOverwrite,
    'SilentAction: Id and via_name overwrite the data\'s own in place')
  sameAsPython(t, hsl.nativeAction('title', 'METHOD'), PYTHON.nativeAction, 'NativeAction')
  sameAsPython(t, hsl.nativeAction('Opening your cart', 'open_cart', { voiceText: 'Opening your cart' }), PYTHON.nativeActionVoice, 'NativeAction with voice text')
  sameAsPython(t, hsl.actionable('title', { type: 'TEXT_ONLY', isDefault: true, locationRequired: true, payload: { key: 'value' } }),
    PYTHON.actionableAll, 'Actionable with every attribute')
})

t.test('every actionable type, uri, form field type and keyboard type python-hsl knows', async t => {
  const types = JSON.parse(PYTHON.actionableTypes) as Array<{ type: typeof ACTIONABLE_TYPES[number] }>
  for (const expected of types) {
    sameAsPython(t, hsl.actionable('title', { type: expected.type }), JSON.stringify(expected), `type ${expected.type}`)
  }
  const uris = JSON.parse(PYTHON.uris) as Array<{ uri: typeof URIS[number] }>
  for (const expected of uris) {
    sameAsPython(t, hsl.actionable('title', { type: 'TEXT_ONLY', uri: expected.uri }), JSON.stringify(expected), `uri "${expected.uri}"`)
  }
  // The unions are python-hsl's enums and the lists of docs/hsl/hsl-properties.md together.
  t.same(ACTIONABLE_TYPES.filter(type => !types.some(expected => expected.type === type)), ['TEXT', 'TAB_LIST_TEXT_ONLY', 'SHARE_REFERRAL'])
  t.same(URIS.filter(uri => !uris.some(expected => expected.uri === uri)), ['CALL', 'CAROUSEL_DEFAULT', 'SAVED_ADDRESSES', 'SEND_MULTIPLE_LOCATIONS'])

  const fields = JSON.parse(PYTHON.formFieldTypes) as Array<{ type: string }>
  t.same(FORM_FIELD_TYPES, fields.map(({ type }) => type), 'the 13 field types, in python-hsl\'s order')
  for (const expected of fields) {
    // python-hsl's test field has no options, which the builder asks of a picker: one is given to pickers (python-hsl writes them as given).
    const picker = expected.type === 'picker' || expected.type === 'multiselectpicker'
    const field = { key: 'key', type: expected.type, order: 1, hint: 'hint', icon: 'icon', ...(picker ? { options: ['one'] } : {}) } as FormFieldOptions
    sameAsPython(t, hsl.form('t', [field]).data.fields[0], JSON.stringify(picker ? { ...expected, options: ['one'] } : expected), `field type ${expected.type}`)
  }
  const keyboards = JSON.parse(PYTHON.formKeyboardTypes) as Array<{ keyboard_type: typeof FORM_KEYBOARD_TYPES[number] }>
  t.same(FORM_KEYBOARD_TYPES, keyboards.map(({ keyboard_type: keyboard }) => keyboard))
  for (const expected of keyboards) {
    const built = hsl.form('t', [{ key: 'key', type: 'text', order: 1, hint: 'hint', icon: 'icon', keyboardType: expected.keyboard_type }])
    sameAsPython(t, built.data.fields[0], JSON.stringify(expected), `keyboard ${expected.keyboard_type}`)
  }
  t.equal(hsl.form('t', [{ key: 'a', type: 'date' }, { key: 'b', type: 'time', order: 7 }]).data.fields.map(field => field.order).join(), '1,7', 'order: given, or the place in the list')
})

// docs/hsl/image.md: python-hsl has no image.
const DOCS_IMAGE = {
  text: '*Thats out*!☝️ Ovs)',
  type: 'CAROUSEL',
  data: {
    image_aspect_ratio: 1.77,
    width: 'FAT',
    items: [{ thumbnail: { image: 'http://xxx.yyy.zzz.com/Cricket_Images/Match_Scorecard/Innings_Score_Batting_1_186013_2_1523197798.png', type: 'LANDSCAPE' }, actionables: [] }]
  }
}

// docs/hsl/carousel.md, "Sample JSON for mini actionable".
const DOCS_MINI_ACTIONABLE = {
  text: 'Here is a Saving Tip for you',
  type: 'CAROUSEL',
  data: {
    image_aspect_ratio: '1.67',
    width: 'FAT',
    items: [{
      thumbnail: { image: 'http://haptik-staging.s3.amazonaws.com/tip.png' },
      actionables: [],
      mini_actionable: {
        actionable_text: ':share: Share',
        location_required: false,
        is_default: 0,
        type: 'SHARE',
        payload: { show_share_option: true, image: 'http://haptik-staging.s3.amazonaws.com/tip.png', gogo_message: '', message: 'A great Saving Tip for you!' },
        uri: ''
      }
    }]
  }
}

t.test('where python-hsl has nothing, the builders follow Haptik\'s HSL docs', async t => {
  // The documented image is python-hsl's card without its empty keys and the deprecated thumbnail.type.
  const { type: _deprecated, ...thumbnail } = DOCS_IMAGE.data.items[0].thumbnail
  const image = hsl.image(thumbnail.image, { text: DOCS_IMAGE.text })
  const { title, sub_title: subTitle, description, meta, ...documented } = image.data.items[0]
  t.same([title, subTitle, description, meta], ['', '', '', ''], 'image: python-hsl\'s empty card keys')
  t.equal(JSON.stringify({ ...image, data: { ...image.data, items: [documented] } }), JSON.stringify({
    text: DOCS_IMAGE.text,
    type: 'CAROUSEL',
    voice_text: '',
    data: { ...DOCS_IMAGE.data, items: [{ actionables: [], thumbnail }] }
  }), 'image: otherwise the documented one, with voice_text and without the deprecated thumbnail.type')

  const mini = hsl.carousel([{
    image: 'http://haptik-staging.s3.amazonaws.com/tip.png',
    miniAction: hsl.share(':share: Share', { image: 'http://haptik-staging.s3.amazonaws.com/tip.png', message: 'A great Saving Tip for you!' })
  }], { text: DOCS_MINI_ACTIONABLE.text, width: 'FAT', imageAspectRatio: '1.67' })
  t.same(mini.data.items[0].mini_actionable, DOCS_MINI_ACTIONABLE.data.items[0].mini_actionable, 'mini_actionable as documented')
  t.same(Object.keys(mini.data.items[0]), ['title', 'sub_title', 'description', 'actionables', 'meta', 'thumbnail', 'mini_actionable'], 'after python-hsl\'s card keys')
  t.same(hsl.share('Share', { message: 'Hi', showShareOption: false }).payload, { show_share_option: false, gogo_message: '', message: 'Hi' }, 'a share without an image')

  const isNew = hsl.carousel([{ title: 'A' }], { isNew: false })
  t.same(Object.keys(isNew), ['text', 'type', 'voice_text', 'data', 'isNew'], 'isNew after data, as in docs/hsl/carousel.md')
  t.equal(isNew.isNew, false)
  const emoji = hsl.link('Open', 'https://x.test', { emoji: '' })
  t.same(Object.keys(emoji), ['actionable_text', 'type', 'uri', 'is_default', 'location_required', 'payload', 'emoji'], 'emoji only when asked for')
  t.equal(hsl.quickReply('Yes', { emoji: '👍' }).emoji, '👍')

  // hsl-properties.md lists CALL without naming the payload key.
  t.same(hsl.call('Call us', '+912255550101'), {
    actionable_text: 'Call us',
    type: 'APP_ACTION',
    uri: 'CALL',
    is_default: 0,
    location_required: false,
    payload: { phone_number: '+912255550101', url: 'tel:+912255550101', gogo_message: '' }
  })
  t.equal(hsl.call('Call', '1', { isDefault: true }).is_default, 1)
  t.equal(hsl.link('Open', 'https://x.test', { isDefault: true }).is_default, 1)
  t.same(hsl.actionable('Saved', { type: 'APP_ACTION', uri: 'SAVED_ADDRESSES' }).payload, {}, 'payload {} by default, as in python-hsl')
  t.same(hsl.carouselDetail('More', { images: ['https://x.test/1.png'] }).payload, { title: '', sub_title: '', description: '', images: ['https://x.test/1.png'], gogo_message: '', link: '' })
})

// ../shared/haptik-protocol.md section 4 and docs/hsl/*.md: samples without
// the keys python-hsl adds (voice_text, uri and location_required on quick
// replies, meta), which the schemas accept as well.
const DOCS = {
  text: { text: 'Your ticket is T-42.', type: 'TEXT', data: { quick_replies: [] } },
  quickReplies: {
    text: 'Pick one',
    type: 'TEXT',
    data: { quick_replies: [{ actionable_text: 'Yes', is_default: 0, type: 'TEXT_ONLY', payload: { message: 'Yes', gogo_message: 'yes{confirm:1}' } }] }
  },
  button: {
    text: 'Need more help?',
    type: 'BUTTON',
    data: {
      items: [
        { actionable_text: 'Open FAQ', location_required: false, is_default: 0, uri: 'LINK', type: 'APP_ACTION', payload: { url: 'https://example.test/faq', gogo_message: '' }, emoji: '' },
        { actionable_text: 'Talk to agent', location_required: false, is_default: 0, uri: '', type: 'TEXT_ONLY', payload: { message: 'Talk to agent', gogo_message: '' } }
      ]
    },
    isNew: false
  },
  carousel: {
    text: 'Your orders',
    type: 'CAROUSEL',
    data: {
      image_aspect_ratio: 1.69,
      width: 'MEDIUM',
      items: [{
        thumbnail: { image: 'https://example.test/a.png' },
        title: 'Order AB1234',
        sub_title: 'Shipped',
        description: 'ETA Friday',
        actionables: [{ actionable_text: 'Track', location_required: false, is_default: 0, uri: 'LINK', type: 'APP_ACTION', payload: { url: 'https://example.test/t/AB1234', gogo_message: '' } }]
      }]
    }
  },
  image: DOCS_IMAGE,
  miniActionable: DOCS_MINI_ACTIONABLE
}

t.test('each schema accepts python-hsl\'s output and the docs\' samples', async t => {
  const own: Array<[TSchema, string]> = [
    [HslTextSchema, PYTHON.text], [HslTextSchema, PYTHON.textQuickReplies],
    [HslButtonSchema, PYTHON.buttonReadme], [HslButtonSchema, PYTHON.buttonHelpers], [HslButtonSchema, PYTHON.buttonScreens],
    [HslCarouselSchema, PYTHON.carousel], [HslCarouselSchema, PYTHON.carouselDefaults], [HslCarouselSchema, PYTHON.carouselDetail],
    [HslCarouselSchema, PYTHON.image],
    [HslFormSchema, PYTHON.form], [HslSystemSchema, PYTHON.systemComplete], [HslSystemSchema, PYTHON.systemPinned],
    [HslSilentSchema, PYTHON.silent], [HslNativeActionSchema, PYTHON.nativeAction], [HslNativeActionSchema, PYTHON.nativeActionVoice]
  ]
  for (const [schema, python] of own) {
    const value: unknown = JSON.parse(python)
    t.ok(check(schema, value), `${(value as { type: string }).type} is a ${schema.title as string}`)
    t.ok(check(HslMessageSchema, value), `${(value as { type: string }).type} is an HSL message`)
  }
  for (const field of [...JSON.parse(PYTHON.formFieldTypes), ...JSON.parse(PYTHON.formKeyboardTypes)]) t.ok(check(FormFieldSchema, field), field.type)
  for (const action of [...JSON.parse(PYTHON.actionableTypes), ...JSON.parse(PYTHON.uris), JSON.parse(PYTHON.actionableAll)]) {
    t.ok(check(ActionableSchema, action), `${action.type} "${action.uri}"`)
  }
  t.ok(check(SilentActionSchema, JSON.parse(PYTHON.silentActionDefault)))
  t.ok(check(SilentActionSchema, JSON.parse(PYTHON.silentActionOverwrite)))

  t.ok(check(HslTextSchema, DOCS.text))
  t.ok(check(HslTextSchema, DOCS.quickReplies))
  t.ok(check(HslButtonSchema, DOCS.button))
  t.ok(check(HslCarouselSchema, DOCS.carousel))
  t.ok(check(HslCarouselSchema, DOCS.image))
  t.ok(check(HslCarouselSchema, DOCS.miniActionable))
  for (const [name, sample] of Object.entries(DOCS)) t.ok(check(HslMessageSchema, sample), `${name} is an HSL message`)
  t.ok(check(QuickReplySchema, hsl.quickReply('No', { message: 'No thanks', isDefault: true })))
  t.ok(check(ActionableSchema, hsl.call('Call us', '+912255550101')))
})

t.test('the schemas refuse what Haptik\'s renderers cannot use', async t => {
  const refused: Array<[string, TSchema, unknown]> = [
    ['a quick reply without text', QuickReplySchema, { ...DOCS.quickReplies.data.quick_replies[0], actionable_text: '' }],
    ['a quick reply of another kind (docs/hsl/text.md: TEXT_ONLY)', QuickReplySchema, hsl.link('Open', 'https://x.test')],
    ['a quick reply that sends nothing (docs/hsl/text.md: payload.message is required)', QuickReplySchema, hsl.actionable('Yes', { type: 'TEXT_ONLY' })],
    ['a button message without buttons', HslButtonSchema, { ...DOCS.button, data: { items: [] } }],
    ['an unknown width', HslCarouselSchema, { ...DOCS.carousel, data: { ...DOCS.carousel.data, width: 'WIDE' } }],
    ['a carousel without cards', HslCarouselSchema, { ...DOCS.carousel, data: { ...DOCS.carousel.data, items: [] } }],
    ['a text message without text', HslTextSchema, { ...DOCS.text, text: '' }],
    ['an actionable type nobody lists', ActionableSchema, { ...hsl.link('Open', 'https://x.test'), type: 'LINK' }],
    ['a uri nobody lists', ActionableSchema, { ...hsl.link('Open', 'https://x.test'), uri: 'WEBVIEW' }],
    ['a form field type python-hsl does not know', HslFormSchema, { ...JSON.parse(PYTHON.form), data: { fields: [{ ...JSON.parse(PYTHON.formFieldTypes)[0], type: 'number' }] } }],
    ['a form without fields', HslFormSchema, { ...JSON.parse(PYTHON.form), data: { fields: [] } }],
    ['a system event python-hsl does not know', HslSystemSchema, { ...JSON.parse(PYTHON.systemComplete), data: { event_name: 'chat_closed', payload: {} } }],
    ['a silent action without Id', HslSilentSchema, { ...JSON.parse(PYTHON.silent), data: { silent_actions: [{ type: 'Action', data: { via_name: 'via' } }] } }],
    ['a native action without method', HslNativeActionSchema, { ...JSON.parse(PYTHON.nativeAction), data: {} }],
    // A known type must match its own schema: HslOther does not take it in.
    ['a TEXT without data', HslMessageSchema, { type: 'TEXT', text: 'hi' }],
    ['a FORM with a text and no title', HslMessageSchema, { type: 'FORM', text: 'Your details', data: { fields: [] } }],
    ['a known type as other', HslOtherSchema, { type: 'SYSTEM', text: 'x', data: {} }],
    ['a message without type', HslMessageSchema, { text: 'hi' }]
  ]
  for (const [what, schema, value] of refused) t.notOk(check(schema, value), what)
  t.ok(check(HslMessageSchema, hsl.message({ type: 'RECEIPT', text: 'Your receipt', data: { items: [] } })), 'other documented types pass through')
})

t.test('a form has a title instead of text: summaries and StepFailure use it', async t => {
  const form = hsl.form('Your details', [{ key: 'email', type: 'text', keyboardType: 'email' }])
  t.equal(summaryOf(form), 'Your details')
  t.equal(summaryOf(hsl.text('Hi')), 'Hi')
  t.equal(summaryOf('plain'), 'plain')
  t.equal(summaryOf({ type: 'FORM' } as unknown as typeof form), '', 'a broken form has no summary')
  t.equal(new StepFailure(['Please fill in:', form]).message, 'Please fill in: Your details')
})

t.test('builders in a reply go out as JSON strings', async t => {
  const step = defineStep({
    name: 'rich',
    handler: () => [
      'Here you go',
      hsl.carousel([{ image: 'https://x.test/a.png', title: 'A' }]),
      hsl.text('More?', { quickReplies: [hsl.quickReply('Yes')] }),
      hsl.form('Your details', [{ key: 'city', type: 'picker', options: ['Pune', 'Mumbai'] }])
    ]
  })
  const app = await haptikApp(t, { steps: [step] })
  const res = await signedPost(app, '/rich', envelope('rich', {}))
  const { response } = res.json()
  t.equal(response[0], 'Here you go')
  t.match(JSON.parse(response[1]), { type: 'CAROUSEL', voice_text: '', data: { items: [{ title: 'A' }] } })
  t.same(JSON.parse(response[2]).data.quick_replies[0].actionable_text, 'Yes')
  t.equal(response[3], JSON.stringify(hsl.form('Your details', [{ key: 'city', type: 'picker', options: ['Pune', 'Mumbai'] }])))
})

t.test('cards and buttons built from data: a list from map() is taken, and gives what the literal gives', async t => {
  const products = [{ name: 'Speaker', price: 1599 }, { name: 'Powerbank', price: 1799 }]
  const cards = products.map(product => ({ title: product.name, subTitle: `Rs.${product.price}`, actions: [hsl.sendMessage(`Buy ${product.name}`)] }))
  t.same(hsl.carousel(cards).data.items.map(item => [item.title, item.sub_title, item.actionables.map(action => action.actionable_text)]),
    [['Speaker', 'Rs.1599', ['Buy Speaker']], ['Powerbank', 'Rs.1799', ['Buy Powerbank']]])
  const actions = products.map(product => hsl.sendMessage(product.name))
  t.same(hsl.button('Pick one', actions).data.items.map(item => item.actionable_text), ['Speaker', 'Powerbank'])
  const fields = ['name', 'email'].map(key => ({ key, type: 'text' as const }))
  t.same(hsl.form('Your details', fields).data.fields.map(field => field.key), ['name', 'email'])
  t.same(hsl.text('More?', { quickReplies: products.map(product => hsl.quickReply(product.name)) }).data.quick_replies.length, 2)
})

t.test('builders check their input when called: a message with nothing to show throws FST_HAPTIK_INVALID_REPLY', async t => {
  const none: Array<{ name: string }> = []
  const empty = String(none.length === 0 ? '' : 'x') // a string TypeScript cannot tell is empty
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['an empty carousel', () => hsl.carousel(none.map(item => ({ title: item.name }))), /^hsl\.carousel: the cards must be a list of at least one, got an empty list$/],
    ['a card that is not an object', () => hsl.carousel([null as unknown as { title: string }]), /^hsl\.carousel: card 0 must be an object/],
    ['a quick reply with an empty label', () => hsl.quickReply(empty), /^hsl\.quickReply: the label must be a non-empty string, got an empty string$/],
    ['a label that is no string', () => hsl.link(42 as unknown as string, 'https://x.test'), /^hsl\.link: the label must be a non-empty string, got a number$/],
    ['an empty text', () => hsl.text(empty), /^hsl\.text: the text must be a non-empty string/],
    ['a button message without text', () => hsl.button(empty, [hsl.sendMessage('Yes')]), /^hsl\.button: the text must be a non-empty string/],
    ['a button message without buttons', () => hsl.button('Pick one', none.map(item => hsl.sendMessage(item.name))), /^hsl\.button: the buttons must be a list of at least one, got an empty list$/],
    ['a form without fields', () => hsl.form('Your details', none.map(item => ({ key: item.name, type: 'text' as const }))), /^hsl\.form: the fields must be a list of at least one/],
    ['a field without a key', () => hsl.form('Your details', [{ key: empty, type: 'text' }]), /^hsl\.form: field 0's key must be a non-empty string/],
    ['a picker without options', () => hsl.form('Pick', [{ key: 'city', type: 'picker', options: none.map(item => item.name) as unknown as [string] }]), /^hsl\.form: field 0's options \(a picker offers them\) must be a list of at least one/],
    ['a silent action without a type', () => hsl.silentAction(empty, 1, 'shop'), /^hsl\.silentAction: the type must be a non-empty string/],
    ['a native action without a method', () => hsl.nativeAction('', empty), /^hsl\.nativeAction: the method must be a non-empty string/],
    ['a system message of no known event', () => hsl.system('', 'chat_started' as 'chat_pinned'), /^hsl\.system: the event must be chat_complete or chat_pinned$/],
    ['another HSL type without a type', () => hsl.message({ type: empty, text: '' }), /^hsl\.message: the type must be a non-empty string/],
    ['no message at all', () => hsl.message(undefined as unknown as { type: string, text: string }), /^hsl\.message: the type must be a non-empty string, got nothing$/],
    ['a text that is null', () => hsl.text(null as unknown as string), /^hsl\.text: the text must be a non-empty string, got null$/],
    ['a label that is a list', () => hsl.quickReply(['Yes'] as unknown as string), /^hsl\.quickReply: the label must be a non-empty string, got a list$/],
    ['cards that are not a list', () => hsl.carousel({ title: 'A' } as unknown as [{ title: string }]), /^hsl\.carousel: the cards must be a list of at least one, got an object$/]
  ]
  for (const [what, build, message] of cases) {
    t.throws(build, { name: 'InvalidHslError', code: 'FST_HAPTIK_INVALID_REPLY', statusCode: 500, message }, what)
  }
})

t.test('a step whose handler builds a carousel from empty data answers on the failure path, not status true', async t => {
  const { logger, lines } = captureLogs<{ level: number, step?: string, err?: { code?: string, message?: string } }>('error')
  const results: Array<{ id: string, name: string }> = []
  const search = defineStep({
    name: 'search',
    handler: () => ['Here is what I found:', hsl.carousel(results.map(result => ({ title: result.name, actions: [hsl.sendMessage(`Open ${result.id}`)] })))]
  })
  const app = await haptikApp(t, { steps: [search] }, { logger })
  const empty = await signedPost(app, '/search', envelope('search', {}))
  t.same(empty.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'the fallback')
  t.match(lines, [{ level: 50, step: 'search', err: { code: 'FST_HAPTIK_INVALID_REPLY', message: 'hsl.carousel: the cards must be a list of at least one, got an empty list' } }], 'logged with the invalid-reply code')
  results.push({ id: 'AB1', name: 'Order AB1' })
  t.equal((await signedPost(app, '/search', envelope('search', {}))).json().status, true, 'with data, the carousel')
})
