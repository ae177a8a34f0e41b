// Copy the front-end libraries Jusha serves from node_modules into jusha/web/static/vendor/.
//
// Government intranets are closed, so nothing is loaded from a CDN: `npm ci && npm run vendor`
// puts exactly the files the templates use under static/vendor/ (git-ignored), and collectstatic
// serves them from there. Versions are pinned in package.json / package-lock.json.
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "jusha", "web", "static", "vendor");

// [source under node_modules, destination under static/vendor]
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["echarts/dist/echarts.min.js", "echarts.min.js"],
];
// Whole folders: Leaflet's marker icons and layer-control images (leaflet.css refers to them).
const folders = [["leaflet/dist/images", "leaflet/images"]];

// A trailing `//# sourceMappingURL=…` points at a .map we do not ship; Django's
// ManifestStaticFilesStorage would fail collectstatic on the missing file, so drop that line.
const sourceMapComment = /^\/\/# sourceMappingURL=.*$|^\/\*# sourceMappingURL=.*\*\/$/gm;

async function copy(from, to) {
  const src = join(modules, from);
  const dest = join(target, to);
  await mkdir(dirname(dest), { recursive: true });
  const text = /\.(js|css)$/.test(dest) ? await readFile(src, "utf8") : null;
  const stripped = text?.replace(sourceMapComment, "");
  if (text !== null && stripped !== text) {
    await writeFile(dest, stripped.trimEnd() + "\n");
  } else {
    await copyFile(src, dest); // byte for byte
  }
  console.log(`  ${relative(root, dest)}`);
}

try {
  await rm(target, { recursive: true, force: true });
  for (const [from, to] of files) await copy(from, to);
  for (const [from, to] of folders) {
    for (const name of (await readdir(join(modules, from))).sort()) {
      await copy(`${from}/${name}`, `${to}/${name}`);
    }
  }
  console.log(`Copied vendor files into ${relative(root, target)}/`);
} catch (err) {
  console.error(`copy-vendor failed: ${err.message}\nRun \`npm ci\` first.`);
  process.exit(1);
}
