#!/usr/bin/env bash
# imgaudit installed the way people install it: `cmake --install` into an empty prefix (the exact files),
# the installed program run from other directories and from a moved prefix (it finds its rule pack), its
# man page and bash completion; the program copied alone (one clear line naming IMGAUDIT_RULES_DIR); the
# .deb that CPack builds (its files, its control fields), unpacked and run. Needs no root; everything it
# makes is under its temporary directory.
source "$(dirname "$0")/support/servers.sh"

BUILD=${IMGAUDIT_BUILD_DIR:-$IMGAUDIT_SOURCE_DIR/build}
unset IMGAUDIT_RULES_DIR
VERSION=$(sed -n 's/^project(imgaudit VERSION \([0-9.]*\) .*/\1/p' "$IMGAUDIT_SOURCE_DIR/CMakeLists.txt")
PREFIX=$TEST_TMP/prefix
SCRATCH=$TEST_TMP/scratch
mkdir -p "$SCRATCH"

# The files an install holds, relative to its prefix: the program, the pack as rules/ has it, the page,
# the completion.
expected_files() {
  {
    echo bin/imgaudit
    echo share/bash-completion/completions/imgaudit
    echo share/man/man1/imgaudit.1
    for f in "$IMGAUDIT_SOURCE_DIR"/rules/*.yaml; do
      echo "share/imgaudit/rules/${f##*/}"
    done
  } | LC_ALL=C sort
}

# same NAME GOT WANT: prints both when they differ.
same() {
  [ "$2" == "$3" ] && return 0
  printf '  %s differs:\n--- got\n%s\n--- want\n%s\n---\n' "$1" "$2" "$3" >&2
  return 1
}

install_exact() {
  cmake --install "$BUILD" --prefix "$PREFIX" >"$TEST_TMP/install.log" || {
    cat "$TEST_TMP/install.log" >&2
    return 1
  }
  same "installed files" "$(cd "$PREFIX" && find . -type f -o -type l | sed 's|^\./||' | LC_ALL=C sort)" \
    "$(expected_files)"
}
check "cmake --install into an empty prefix: exactly bin/, the rule pack, the man page, the completion" install_exact

# The pack the build's program loads from rules/, listed: what an installed program must list too.
WANT_LIST=$("$IMGAUDIT_BIN" rules list)

# runs_from DIR PROGRAM: from DIR, --version and `rules list` (the built-in pack) work.
runs_from() {
  local dir=$1 bin=$2
  (cd "$dir" && same "--version from $dir" "$("$bin" --version)" "imgaudit $VERSION") &&
    (cd "$dir" && same "rules list from $dir" "$("$bin" rules list)" "$WANT_LIST") &&
    (cd "$dir" && "$bin" rules test >/dev/null)
}
check "the installed program finds its rule pack from /" runs_from / "$PREFIX/bin/imgaudit"
check "the installed program finds its rule pack from a scratch directory" runs_from "$SCRATCH" "$PREFIX/bin/imgaudit"
mv "$PREFIX" "$TEST_TMP/moved"
check "a moved prefix still finds its pack (<bindir>/../share/imgaudit/rules)" \
  runs_from "$SCRATCH" "$TEST_TMP/moved/bin/imgaudit"
mv "$TEST_TMP/moved" "$PREFIX"

man_page() {
  local out
  if command -v man >/dev/null; then
    # Found by name under the prefix, as `man imgaudit` finds it once the prefix is in MANPATH.
    out=$(MANPATH=$PREFIX/share/man MANPAGER=cat MANWIDTH=100 man imgaudit 2>&1) || return 1
  elif command -v groff >/dev/null; then
    out=$(groff -man -Tutf8 "$PREFIX/share/man/man1/imgaudit.1" 2>&1) || return 1
  else
    echo "  neither man nor groff is installed: the page was only checked to be there" >&2
    [ -s "$PREFIX/share/man/man1/imgaudit.1" ]
    return
  fi
  grep -q "imgaudit $VERSION" <<<"$out" && grep -q -- "--fail-on" <<<"$out" &&
    grep -q "IMGAUDIT_RULES_DIR" <<<"$out" || {
    echo "$out" | head -20 >&2
    return 1
  }
}
check "the installed man page renders (man imgaudit with MANPATH at the prefix)" man_page

# offer WORD...: what the installed completion offers for the command line WORD... (the last word is
# completed), one a line, as bash runs it on a TAB.
offer() {
  (cd "$SCRATCH" && bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _imgaudit
    printf "%s\n" "${COMPREPLY[@]}"' "$PREFIX/share/bash-completion/completions/imgaudit" "$@")
}

# The options a --help lists, one a line, sorted: "  -o, --output FILE  ..." gives --output and -o.
help_options() {
  "$PREFIX/bin/imgaudit" "$@" --help | sed -n 's/^  \(-[a-z0-9]\), \(--[a-z0-9-]*\).*/\1\n\2/p;
    s/^  \(--[a-z0-9-]*\).*/\1/p' | LC_ALL=C sort -u
}

completion() {
  local c
  : >"$SCRATCH/snap.json"
  same "imgaudit aud<TAB>" "$(offer imgaudit aud)" audit &&
    same "imgaudit rules <TAB>" "$(offer imgaudit rules '')" "$(printf 'lint\nlist\ntest\n--help')" &&
    same "imgaudit audit --fail<TAB>" "$(offer imgaudit audit --fail)" "$(printf -- '--fail-on\n--fail-on-new')" &&
    same "imgaudit audit --fail-on=c<TAB>" "$(offer imgaudit audit --fail-on = c)" critical &&
    same "imgaudit evaluate sn<TAB>" "$(offer imgaudit evaluate sn)" snap.json &&
    same "imgaudit rules lint --waivers <TAB>" "$(offer imgaudit rules lint --waivers '')" snap.json || return 1
  # Every option that a command's --help lists is offered, and nothing else.
  for c in $("$PREFIX/bin/imgaudit" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p'); do
    [ "$c" == rules ] || [ "$c" == fix ] && continue
    same "imgaudit $c -<TAB>" "$(offer imgaudit "$c" - | LC_ALL=C sort)" "$(help_options "$c")" || return 1
  done
  # rules and fix --help show their verbs' usage lines: every option in them is offered for that verb.
  for c in "rules lint" "rules list" "rules test" "fix plan"; do
    local want
    # shellcheck disable=SC2086 # the command and its verb, two words
    want=$("$PREFIX/bin/imgaudit" ${c% *} --help | grep "imgaudit $c " | grep -o -- '--[a-z-]*' | LC_ALL=C sort -u)
    [ -n "$want" ] || { echo "  imgaudit ${c% *} --help shows no usage line for $c" >&2; return 1; }
    # shellcheck disable=SC2086
    same "imgaudit $c -<TAB> (the usage line's options)" \
      "$(offer imgaudit $c - | LC_ALL=C sort | comm -12 - <(echo "$want"))" "$want" || return 1
  done
}
check "the installed completion: commands, verbs, options (every one --help lists), values, files" completion

# The bash-completion package loads it on demand from where it was installed: share/bash-completion/completions
# under each of XDG_DATA_DIRS (/usr/local/share:/usr/share by default; here the prefix's share).
loads_on_demand() {
  local bc=/usr/share/bash-completion/bash_completion
  [ -f "$bc" ] || {
    echo "  $bc is missing (package bash-completion, which scripts/setup.sh installs)" >&2
    return 1
  }
  same "complete -p imgaudit" "$(bash -c 'source "$1"; XDG_DATA_DIRS=$2/share
    __load_completion imgaudit && complete -p imgaudit' _ "$bc" "$PREFIX")" "complete -F _imgaudit imgaudit"
}
check "bash-completion finds the installed completion on demand (XDG_DATA_DIRS)" loads_on_demand

# The program copied alone, beside nothing: one line naming IMGAUDIT_RULES_DIR and where it looked, exit 2.
alone() {
  local rc=0 datadir
  mkdir -p "$TEST_TMP/alone/bin"
  cp "$PREFIX/bin/imgaudit" "$TEST_TMP/alone/bin/"
  # The data directory the build was configured for is the last place looked in.
  datadir=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")/share/imgaudit/rules
  if [ -d "$datadir" ]; then
    echo "  $datadir exists on this machine (an install there): the program copied alone uses it" >&2
    (cd "$SCRATCH" && "$TEST_TMP/alone/bin/imgaudit" rules list >/dev/null)
    return
  fi
  (cd "$SCRATCH" && "$TEST_TMP/alone/bin/imgaudit" rules list) >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  same "exit status" "$rc" 2 && same "stdout" "$(cat "$TEST_TMP/out")" "" &&
    same "stderr" "$(untimed "$TEST_TMP/err")" "imgaudit: error: cannot find the built-in rule pack: set \
IMGAUDIT_RULES_DIR to its directory or pass --no-builtin-rules --rules PATH (looked in $TEST_TMP/alone/bin/../rules, \
$TEST_TMP/alone/bin/../share/imgaudit/rules, $datadir)" &&
    # As told: the variable, or --no-builtin-rules --rules.
    IMGAUDIT_RULES_DIR=$PREFIX/share/imgaudit/rules runs_from "$SCRATCH" "$TEST_TMP/alone/bin/imgaudit" &&
    (cd "$SCRATCH" && "$TEST_TMP/alone/bin/imgaudit" rules list --no-builtin-rules --rules "$PREFIX/share/imgaudit/rules" >/dev/null)
}
check "the program copied alone: one line naming IMGAUDIT_RULES_DIR and where it looked, exit 2" alone

# The .deb. cpack writes only under -B.
DEB=
build_deb() {
  cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$TEST_TMP/deb" >"$TEST_TMP/cpack.log" 2>&1 || {
    tail -20 "$TEST_TMP/cpack.log" >&2
    return 1
  }
  DEB=$TEST_TMP/deb/imgaudit_${VERSION}_$(dpkg --print-architecture).deb
  same ".deb written" "$(cd "$TEST_TMP/deb" && ls ./*.deb)" "./${DEB##*/}"
}

deb_files() {
  same "files in the .deb" "$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $6}' | LC_ALL=C sort)" \
    "$(expected_files | sed 's|^|./usr/|')"
}

# field NAME: the .deb's control field NAME.
field() {
  dpkg-deb -f "$DEB" "$1"
}

deb_control() {
  local depends p
  depends=$(field Depends)
  same Package "$(field Package)" imgaudit && same Version "$(field Version)" "$VERSION" &&
    same Architecture "$(field Architecture)" "$(dpkg --print-architecture)" &&
    grep -Eq '^[^<]+ <[^@ ]+@[^> ]+>$' <<<"$(field Maintainer)" &&
    grep -q 'WorkSpaces' <<<"$(field Description)" || {
    dpkg-deb -f "$DEB" >&2
    return 1
  }
  # The runtime libraries, by this release's package names (t64 from Debian 13 on).
  for p in 'libcurl4(t64)?' 'libssl3(t64)?' libcjson1 libyaml-0-2 libxml2 libc6; do
    grep -Eq "(^|, )$p( |,|$)" <<<"$depends" || {
      echo "  Depends lacks $p: $depends" >&2
      return 1
    }
  done
  # Every package it depends on is installed here, where the program runs.
  for p in $(sed 's/([^)]*)//g; s/|[^,]*//g; s/,/ /g' <<<"$depends"); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
      echo "  Depends names $p, which is not installed here" >&2
      return 1
    }
  done
}

deb_runs() {
  dpkg-deb -x "$DEB" "$TEST_TMP/root" && runs_from / "$TEST_TMP/root/usr/bin/imgaudit" &&
    same "completion in the .deb" "$(cat "$TEST_TMP/root/usr/share/bash-completion/completions/imgaudit")" \
      "$(cat "$PREFIX/share/bash-completion/completions/imgaudit")"
}

if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  check "cpack -G DEB writes imgaudit_${VERSION}_<arch>.deb" build_deb
  check "the .deb holds the same files under /usr (dpkg-deb -c)" deb_files
  check "the .deb's control: name, version, architecture, maintainer, description, Depends (dpkg-deb -f)" \
    deb_control
  check "the .deb unpacked (dpkg-deb -x) runs and finds its pack" deb_runs
else
  check "cpack and dpkg-deb are installed (scripts/setup.sh installs cmake and dpkg)" false
fi

finish
