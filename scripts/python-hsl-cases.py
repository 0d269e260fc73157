# Prints the python-hsl output that test/hsl.test.ts compares the builders with
# (the PYTHON strings there), one case per line: `name<TAB>json`.
#
# python-hsl (github.com/hellohaptik/python-hsl, develop 52ec7e2) is not on
# PyPI in a usable form; run this from a checkout of it:
#   git clone https://github.com/hellohaptik/python-hsl && cd python-hsl
#   python3 /path/to/fastify-haptik/scripts/python-hsl-cases.py
import json
import os
import sys

sys.path.insert(0, os.getcwd())  # the python-hsl checkout
from hsl_builder import Text, Button, Carousel, CarouselWidth, Form, System, SystemEvents, Silent, NativeAction, BaseElement
from hsl_builder.elements import Actionable, ActionableType, URI, CarouselItem, FormField, FormFieldType, FormKeyboardType, SilentAction

def act(text, t, u, payload=None, default=False):
    a = Actionable(text, t, u)
    if payload is not None: a.payload = payload
    a.is_default = default
    return a

cases = {}
t = Text('Hello'); cases['text'] = t.to_hsl()

t = Text('Pick one'); t.voice_text = 'Pick one: yes or no'
t.quick_replies.append(act('Yes', ActionableType.TEXT_ONLY, URI.NONE, {'message': 'Yes', 'gogo_message': ''}))
t.quick_replies.append(act('No', ActionableType.TEXT_ONLY, URI.NONE, {'message': 'No thanks', 'gogo_message': 'no{confirm:0}'}, True))
cases['textQuickReplies'] = t.to_hsl()

b = Button('Title'); a = Actionable('actionable text', ActionableType.APP_ACTION, URI.LINK); a.payload = {'url': 'https://www.haptik.ai'}; b.actionables.append(a)
cases['buttonReadme'] = b.to_hsl()

b = Button('Need more help?'); b.voice_text = 'Need more help? Open the FAQ or talk to an agent.'
b.actionables.append(act('Open FAQ', ActionableType.APP_ACTION, URI.LINK, {'url': 'https://example.test/faq', 'gogo_message': ''}))
b.actionables.append(act('Talk to agent', ActionableType.TEXT_ONLY, URI.NONE, {'message': 'Talk to agent', 'gogo_message': 'agent'}))
b.actionables.append(act('My orders', ActionableType.APP_ACTION, URI.SELF_SERVE_WEB, {'url': 'https://example.test/orders', 'link': '', 'gogo_message': ''}, True))
b.actionables.append(act('View Price', ActionableType.TEXT_ONLY, URI.LAUNCH_CHANNEL, {'gogo_message': '', 'message': 'I want to check the price of this test'}))
cases['buttonHelpers'] = b.to_hsl()

b = Button('Send us the document')
b.actionables.append(act('Take a photo', ActionableType.APP_ACTION, URI.IMAGE_UPLOAD, {}))
b.actionables.append(act('Pick a photo', ActionableType.APP_ACTION, URI.GALLERY_PICKER, {}))
b.actionables.append(act('Upload a PDF', ActionableType.APP_ACTION, URI.DOCUMENT_PICKER, {}))
b.actionables.append(act('Share location', ActionableType.APP_ACTION, URI.SEND_LOCATION, {'lat_key': 'store_lat', 'lng_key': 'store_lng', 'gogo_message': ''}))
b.actionables.append(act('Rate us', ActionableType.APP_FEEDBACK, URI.NONE, {}))
b.actionables.append(act(':share: Share', ActionableType.SHARE, URI.NONE, {'show_share_option': True, 'image': 'https://example.test/tip.png', 'gogo_message': '', 'message': 'A great Saving Tip for you!'}))
cases['buttonScreens'] = b.to_hsl()

c = Carousel('Pick one'); c.width = CarouselWidth.MEDIUM; c.aspect_ratio = 0.5
i = CarouselItem('Item title', 'Item subtitle'); i.description = 'desc'; i.thumbnail = 'https://img/x.png'; i.meta = 'meta-str'
i.actionables.append(act('Buy', ActionableType.APP_ACTION, URI.LINK, {'url': 'https://example.test/buy', 'gogo_message': ''}))
c.items.append(i)
cases['carousel'] = c.to_hsl()

c = Carousel('Your orders')
c.items.append(CarouselItem('Order AB1234', ''))
i = CarouselItem('', ''); i.thumbnail = 'https://example.test/a.png'; c.items.append(i)
cases['carouselDefaults'] = c.to_hsl()

c = Carousel('Your receipt'); c.width = CarouselWidth.FAT; c.aspect_ratio = 1.77
i = CarouselItem('', ''); i.thumbnail = 'https://example.test/receipt.png'; c.items.append(i)
cases['image'] = c.to_hsl()

c = Carousel('Your receipt'); c.width = CarouselWidth.BIG; c.aspect_ratio = 1.0; c.voice_text = 'Here is your receipt'
i = CarouselItem('', ''); i.thumbnail = 'https://x.test/i.png'; c.items.append(i)
cases['imageOptions'] = c.to_hsl()

c = Carousel('Scorecards'); c.aspect_ratio = 1.69
i = CarouselItem('DD: 166/7 (20.0 overs)', 'KXIP: Bowling'); i.thumbnail = 'https://example.test/innings1.png'
i.actionables.append(act('View Scorecard', ActionableType.APP_ACTION, URI.CAROUSEL_DETAIL, {'title': 'DD vs. KXIP', 'sub_title': '1st Innings', 'description': 'DD: 166/7 (20.0 overs)', 'images': ['https://example.test/bat1.png', 'https://example.test/bowl1.png'], 'gogo_message': '', 'link': ''}))
c.items.append(i)
cases['carouselDetail'] = c.to_hsl()

f = Form('Book a table', 'We need a few details')
e = FormField('email', FormFieldType.TEXT, 1, 'Your email', 'email'); e.keyboard_type = FormKeyboardType.EMAIL; f.fields.append(e)
g = FormField('guests', FormFieldType.PICKER, 2, 'Guests', ''); g.options = ['1', '2', '3', '4']; f.fields.append(g)
s = FormField('area', FormFieldType.SEARCH, 3, 'Area', ''); s.search_source = 'https://api.example.test/areas'; s.search_placeholder = 'Type an area'; f.fields.append(s)
n = FormField('name', FormFieldType.TEXT, 4, 'Name', ''); n.autofill = 'Asha Rao'; n.autofill_source = 'profile'; f.fields.append(n)
cases['form'] = f.to_hsl()

cases['formFieldTypes'] = [FormField('key', ft, 1, 'hint', 'icon').to_hsl() for ft in FormFieldType]
def kb(k):
    x = FormField('key', FormFieldType.TEXT, 1, 'hint', 'icon'); x.keyboard_type = k; return x.to_hsl()
cases['formKeyboardTypes'] = [kb(k) for k in FormKeyboardType]

cases['systemComplete'] = System('complete', SystemEvents.COMPLETE).to_hsl()
s = System('waiting', SystemEvents.PINNED); s.payload = {'key': 'value', 'agent': 'agent_name'}; cases['systemPinned'] = s.to_hsl()

cases['silentActionDefault'] = SilentAction('Action', 1, 'via_name').to_hsl()
s = Silent('silent'); sa = SilentAction('Action', 7, 'via'); sa.data = {'key': 'value'}; s.actions.append(sa)
cases['silent'] = s.to_hsl()
sa = SilentAction('Action', 7, 'via'); sa.data = {'via_name': 'mine', 'key': 'value', 'Id': 0}
cases['silentActionOverwrite'] = sa.to_hsl()

n = NativeAction('title', 'METHOD'); cases['nativeAction'] = n.to_hsl()
n = NativeAction('Opening your cart', 'open_cart'); n.voice_text = 'Opening your cart'; cases['nativeActionVoice'] = n.to_hsl()

cases['actionableTypes'] = [Actionable('title', t, URI.NONE).to_hsl() for t in ActionableType]
cases['uris'] = [Actionable('title', ActionableType.TEXT_ONLY, u).to_hsl() for u in URI]
a = Actionable('title', ActionableType.TEXT_ONLY, URI.NONE); a.is_default = True; a.location_required = True; a.payload = {'key': 'value'}
cases['actionableAll'] = a.to_hsl()

for k, v in cases.items():
    print(k + '\t' + json.dumps(v))
