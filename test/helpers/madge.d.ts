// The part of madge's API the module-boundary test uses (madge ships no types).
declare module 'madge' {
  interface MadgeResult {
    /** Each module's internal imports, as paths relative to the base directory. */
    obj: () => Record<string, string[]>
    /** Every import cycle, as a list of modules. */
    circular: () => string[][]
  }
  function madge (path: string, config: { fileExtensions: string[], tsConfig: string }): Promise<MadgeResult>
  export default madge
}
