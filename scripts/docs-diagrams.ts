// The generated state diagrams of the example firmware (docs/diagrams/), for
// `npm run docs` (scripts/docs.mjs writes them) and test/node/diagram.test.ts
// (regenerates them in memory and compares with the committed files).
//
//   examples/firmware.ts --boot all three on a Kernel with a silent ExampleIo-->
//   definitions --cli/render.ts--> docs/diagrams/MACHINE.{mmd,dot,svg}
//   docs/examples.md: the text between `<!-- diagram:MACHINE -->` and
//   `<!-- /diagram -->` becomes a mermaid block of MACHINE.mmd and links to
//   its .svg and .dot.
import { Firmware, MACHINE_NAMES } from '../examples/firmware.js';
import type { ExampleIo } from '../examples/io.js';
import { dotToSvg, toDot, toMermaid, type Describable } from '../cli/render.js';

/** The machines drawn, by machine name (the examples' machine ids order). */
export const DIAGRAM_MACHINES: readonly string[] = MACHINE_NAMES;

/** The example machines' definitions, by machine name (boots the firmware once: allocates). */
export function exampleDefinitions(): Map<string, Describable> {
  const io: ExampleIo = { now: () => 0, write: () => {}, tx: () => true, logState: () => {}, logEvent: () => {} };
  const fw = new Firmware({ now: () => 0 }, io, ['port-reset', 'blinky', 'uart-lines']);
  const defs = fw.definitions();
  const out = new Map<string, Describable>();
  MACHINE_NAMES.forEach((name, i) => {
    const d = defs[i];
    if (d === undefined) throw new Error(`docs: machine ${name} (id ${i}) is not loaded`);
    if (d.name !== name) throw new Error(`docs: machine id ${i} is '${d.name}', expected '${name}'`);
    out.set(name, d);
  });
  return out;
}

/** Every generated file: path relative to the repository root -> contents. */
export async function exampleDiagramFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [name, def] of exampleDefinitions()) {
    files.set(`docs/diagrams/${name}.mmd`, toMermaid([def]));
    const dot = toDot([def]);
    files.set(`docs/diagrams/${name}.dot`, dot);
    files.set(`docs/diagrams/${name}.svg`, await dotToSvg(dot));
  }
  return files;
}

const BLOCK = /<!-- diagram:([A-Za-z0-9_-]+) -->\n[\s\S]*?<!-- \/diagram -->/g;

/**
 * docs/examples.md with each `<!-- diagram:NAME -->` ... `<!-- /diagram -->`
 * block replaced by NAME's mermaid diagram and links. Throws for a marker
 * naming no generated diagram.
 */
export function embedDiagrams(markdown: string, files: ReadonlyMap<string, string>): string {
  return markdown.replace(BLOCK, (_all, name: string) => {
    const mmd = files.get(`docs/diagrams/${name}.mmd`);
    if (mmd === undefined) throw new Error(`docs/examples.md: <!-- diagram:${name} --> names no generated diagram (${DIAGRAM_MACHINES.join(', ')})`);
    return (
      `<!-- diagram:${name} -->\n` +
      '```mermaid\n' +
      mmd +
      '```\n\n' +
      `Generated from the definition by \`npm run docs\` ([SVG](diagrams/${name}.svg), [DOT](diagrams/${name}.dot), [Mermaid](diagrams/${name}.mmd)).\n` +
      '<!-- /diagram -->'
    );
  });
}

/** The diagram names docs/examples.md embeds, in order. */
export function embeddedDiagrams(markdown: string): string[] {
  return Array.from(markdown.matchAll(BLOCK), (m) => m[1]!);
}
