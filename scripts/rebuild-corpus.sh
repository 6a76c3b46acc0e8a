#!/usr/bin/env bash
# Rebuilds the shared MIDI corpus (../shared/corpus) from public sources:
#   folk/        the ABC collections in music21's corpus, converted by abc2midi, one file per tune
#   bach-chorales/  the Bach chorales in music21's corpus, written as type-1 MIDI by music21
# Usage: scripts/rebuild-corpus.sh [OUT_DIR]   (default: ../shared/corpus)
# Needs: Debian's abcmidi (abc2midi 20230208) and pip's music21==10.5.1 (installed here if missing).
set -euo pipefail
out=${1:-../shared/corpus}
command -v abc2midi >/dev/null || { apt-get update -qq && apt-get install -y -qq abcmidi; }
python3 -c 'import music21' 2>/dev/null || pip install -q music21==10.5.1
corpus=$(python3 -c 'import music21, os; print(os.path.join(os.path.dirname(music21.__file__), "corpus"))')
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

for collection in essenFolksong ryansMammoth airdsAirs miscFolk; do
  dest="$out/folk/$collection"
  mkdir -p "$dest"
  for abc in "$corpus/$collection"/*.abc; do
    stem=$(basename "$abc" .abc)
    # abc2midi writes one file per tune, named <abc stem><X number>.mid.
    rm -f "$work"/*; cp "$abc" "$work/t.abc"
    (cd "$work" && abc2midi t.abc >/dev/null 2>&1 || true)
    for mid in "$work"/t*.mid; do
      [ -e "$mid" ] || continue
      x=$(basename "$mid" .mid); x=${x#t}
      mv "$mid" "$dest/${stem}_${x:-1}.mid"
    done
  done
  echo "$collection: $(ls "$dest" | wc -l) files"
done

mkdir -p "$out/bach-chorales"
python3 - "$corpus" "$out/bach-chorales" <<'PY'
import os, sys, music21
src, dest = sys.argv[1], sys.argv[2]
n = 0
for name in sorted(os.listdir(os.path.join(src, "bach"))):
    if not name.endswith((".mxl", ".xml", ".krn")):
        continue
    stem = os.path.splitext(name)[0]
    try:
        music21.converter.parse(os.path.join(src, "bach", name)).write("midi", fp=os.path.join(dest, stem + ".mid"))
        n += 1
    except Exception as e:
        print("skipped", name, e, file=sys.stderr)
print("bach-chorales:", n, "files")
PY
