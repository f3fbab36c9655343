#!/usr/bin/env bats
# tests/cli/tardiff.bats - the tar differential (issue 13, finding 5):
# cairn and the stock tools (age -d | tar -x, minisign -V, sha256sum -c)
# must never disagree about a signed archive.  Hostile tarballs are built
# with python3 (tarfile writes pax global headers, GNU long names and pax
# headers; a few are put together block by block) from the members of a
# real signed archive, encrypted with age, and given to `cairn verify
# --signer`.  Whenever cairn says OK, the stock recipe of docs/format.md
# must pass and extract exactly the tree `cairn open` writes; each hostile
# case must be refused (exit 4).

load helpers

# keys_and_archive: age identity "id" ($R), minisign key sign.key/.pub, a
# signed archive a.cairn of in/ (an NFC name among them), unpacked in x/.
keys_and_archive() {
	stock_keys
	mkdir -p in/sub
	printf 'hello\n' >in/hello.txt
	printf 'NFC\n' >"in/$(printf 'caf\303\251')"
	payload 3000 in/sub/data.bin
	"$CAIRN" seal -r "$R" -s sign.key -o a.cairn in 2>/dev/null
	mkdir x
	age -d -i id a.cairn | tar -xf - -C x
}

# craft CASE OUT: the members of x/ in manifest order, as a tar built for
# CASE, encrypted to $R into OUT (the tar kept as OUT.tar).
craft() {
	python3 - "$1" x "$2.tar" <<'EOF'
import io, json, os, sys, tarfile
case, src, out = sys.argv[1:4]
E = "utf-8"
m = json.load(open(os.path.join(src, "manifest.json"), encoding=E))
names = (["manifest.json"] + [e["path"] for e in m["entries"]] +
         ["SHA256SUMS", "SHA256SUMS.minisig"])

def info(name, disk=None):
    st = os.lstat(os.path.join(src, disk or name))
    t = tarfile.TarInfo(name)
    t.mode, t.mtime, t.uid, t.gid = st.st_mode & 0o777, int(st.st_mtime), 0, 0
    if os.path.isdir(os.path.join(src, disk or name)):
        t.type = tarfile.DIRTYPE
    else:
        t.size = st.st_size
    return t

def ustar(t):
    return t.tobuf(tarfile.USTAR_FORMAT, E, "surrogateescape")

def pax(records, kind=tarfile.XHDTYPE):
    return tarfile.TarInfo._create_pax_generic_header(records, kind, E)

def longname(name):
    return tarfile.TarInfo._create_gnu_long_header(
        name, tarfile.GNUTYPE_LONGNAME, E, "surrogateescape")

def data(name):
    p = os.path.join(src, name)
    if os.path.isdir(p):
        return b""
    b = open(p, "rb").read()
    return b + b"\0" * (-len(b) % 512)

NFC = "in/caf\u00e9"
NFD = "in/cafe\u0301"
out_b = io.BytesIO()
for n in names:
    t = info(n)
    hdr = ustar(t) if n != NFC else pax({"path": n}) + ustar(info("in/cafe", n))
    if n == "in/hello.txt":
        if case == "global-path":
            hdr = pax({"path": "in/evil.txt"}, tarfile.XGLTYPE) + hdr
        elif case == "global-size":
            hdr = pax({"size": "0"}, tarfile.XGLTYPE) + hdr
        elif case == "global-mtime":
            hdr = pax({"mtime": "0"}, tarfile.XGLTYPE) + hdr
        elif case == "long-then-pax":
            hdr = longname("in/evil.txt") + pax({"path": n}) + hdr
        elif case == "pax-then-long":
            hdr = pax({"path": "in/evil.txt"}) + longname(n) + hdr
        elif case == "long-then-pax-evil":
            hdr = longname(n) + pax({"path": "in/evil.txt"}) + hdr
        elif case == "pax-then-long-evil":
            hdr = pax({"path": n}) + longname("in/evil.txt") + hdr
        elif case == "two-pax":
            hdr = pax({"path": "in/evil.txt"}) + pax({"path": n}) + hdr
        elif case == "two-long":
            hdr = longname("in/evil.txt") + longname(n) + hdr
        elif case == "pax-hdrcharset":
            hdr = pax({"hdrcharset": "BINARY", "path": n}) + hdr
        elif case == "pax-linkpath":
            hdr = pax({"linkpath": "in/evil.txt"}) + hdr
        elif case == "pax-sparse-name":
            hdr = pax({"GNU.sparse.name": "in/evil.txt"}) + hdr
    if n == NFC and case == "nfd":
        hdr = pax({"path": NFD}) + ustar(info("in/cafe", n))
    out_b.write(hdr + data(n))
out_b.write(b"\0" * 1024)
b = out_b.getvalue()
open(out, "wb").write(b + b"\0" * (-len(b) % 10240))
EOF
	age -r "$R" -o "$2" "$2.tar"
}

# stock_ok ARCHIVE: docs/format.md's stock recipe in a fresh chk/.
stock_ok() {
	rm -rf chk && mkdir chk && (
		cd chk || exit 1
		age -d -i ../id "../$1" | tar -x 2>/dev/null || exit 1
		minisign -Vm SHA256SUMS -p ../sign.pub >/dev/null || exit 1
		sha256sum -c --strict SHA256SUMS </dev/null >/dev/null 2>&1 || exit 1
		diff <(age -d -i ../id "../$1" | tar -t --quoting-style=literal |
		       grep -v '/$' | sort) \
		     <({ cut -c67- SHA256SUMS; echo SHA256SUMS;
		         echo SHA256SUMS.minisig; } | sort) >/dev/null
	)
}

# differential CASE: when cairn says OK, the stock recipe passes and tar
# extracts exactly the tree cairn opens.  Sets $cairn_status.
differential() {
	run --separate-stderr "$CAIRN" verify -i id --signer sign.pub "$1"
	cairn_status=$status
	cairn_err=$stderr
	[ "$status" -eq 0 ] || return 0
	stock_ok "$1" || {
		echo "$1: cairn verify says OK, the stock tools disagree"
		return 1
	}
	rm -rf out && "$CAIRN" open -i id --signer sign.pub -C out "$1" >/dev/null
	# the tree without cairn's own members, names compared as bytes
	diff <(cd out && find . -print0 | LC_ALL=C sort -z | tr '\0' '\n' | od -c) \
	    <(cd chk && find . ! -name 'SHA256SUMS*' ! -name manifest.json -print0 |
	        LC_ALL=C sort -z | tr '\0' '\n' | od -c) || {
		echo "$1: cairn open and tar -x extract different trees"
		return 1
	}
	diff -r out chk -x 'SHA256SUMS*' -x manifest.json
}

@test "tardiff: a python-built pax repack of the signed members verifies and matches the stock tools" {
	keys_and_archive
	craft plain p.cairn
	grep -aq "path=in/caf" p.cairn.tar
	differential p.cairn
	[ "$cairn_status" -eq 0 ] || { echo "$cairn_err"; false; }
}

@test "tardiff: hostile tarballs are refused (4), and an OK always means the stock tools agree" {
	keys_and_archive
	local c bad=0
	for c in global-path global-size global-mtime long-then-pax \
	    pax-then-long long-then-pax-evil pax-then-long-evil two-pax \
	    two-long pax-hdrcharset pax-linkpath pax-sparse-name nfd; do
		craft "$c" "$c.cairn"
		differential "$c.cairn" || bad=1
		if [ "$cairn_status" -ne 4 ]; then
			echo "$c: exit $cairn_status, want 4: $cairn_err"
			bad=1
		fi
		if printf '%s' "$cairn_err" | grep -qP '[\x00-\x08\x0b-\x1f\x7f]'; then
			echo "$c: raw control bytes on stderr"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "tardiff: the NFD case is one stock tools read differently (the test can tell)" {
	keys_and_archive
	craft nfd n.cairn
	# GNU tar extracts the decomposed bytes; SHA256SUMS names the NFC ones
	run stock_ok n.cairn
	[ "$status" -ne 0 ]
	[ -e "chk/in/$(printf 'cafe\314\201')" ]
	expect_exit 4 "$CAIRN" verify -i id --signer sign.pub n.cairn
	assert_stderr_has "in/cafe"
}

@test "tardiff: a global header is refused by name, a GNU long name with a pax path too" {
	keys_and_archive
	craft global-path g.cairn
	expect_exit 4 "$CAIRN" verify -i id --signer sign.pub g.cairn
	assert_stderr_has "pax global header"
	expect_exit 4 "$CAIRN" open -i id --signer sign.pub -C out g.cairn
	[ ! -e out ]
	craft long-then-pax l.cairn
	expect_exit 4 "$CAIRN" verify -i id --signer sign.pub l.cairn
	assert_stderr_has "GNU long name combined with a pax header"
}

@test "tardiff: a file named '-' (sha256sum -c reads standard input) is refused at seal and at open" {
	keys_and_archive
	printf 'dash\n' >-
	expect_exit 1 "$CAIRN" seal -r "$R" -s sign.key -o d.cairn ./-
	assert_stderr_has "name '-'"
	[ ! -e d.cairn ]
	# an archive listing "-" (as an older cairn could seal it), signed
	printf 'dash\n' >dash
	"$CAIRN" seal -r "$R" -s sign.key -o d0.cairn dash 2>/dev/null
	mkdir y && age -d -i id d0.cairn | tar -xf - -C y
	mv y/dash y/-
	jq -c '(.entries[] | select(.path == "dash") | .path) = "-"' y/manifest.json >m.json
	mv m.json y/manifest.json
	id=$(jq -r .archive_id y/manifest.json)
	at=$(jq -r .sealed_at y/manifest.json)
	(cd y && printf '%s  manifest.json\n%s  -\n' \
	    "$(sha256sum <manifest.json | cut -c1-64)" "$(sha256sum <./- | cut -c1-64)" >SHA256SUMS)
	rm -f y/SHA256SUMS.minisig
	minisign -S -s sign.key -m y/SHA256SUMS \
	    -t "cairn-archive archive_id:$id sealed_at:$at" >/dev/null </dev/null
	python3 - <<'EOF'
import os, tarfile
with tarfile.open("d.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    for n in ["manifest.json", "-", "SHA256SUMS", "SHA256SUMS.minisig"]:
        i = t.gettarinfo(os.path.join("y", n), arcname=n)
        i.uid = i.gid = 0
        i.uname = i.gname = ""
        with open(os.path.join("y", n), "rb") as f:
            t.addfile(i, f)
EOF
	age -r "$R" -o d.cairn d.tar
	# sha256sum -c checks standard input, not the file, for that line
	mkdir chk && tar -xf d.tar -C chk
	echo tampered >chk/-
	(cd chk && printf 'dash\n' | sha256sum -c --strict SHA256SUMS) >/dev/null
	expect_exit 4 "$CAIRN" verify -i id --signer sign.pub d.cairn
	assert_stderr_has "manifest.json"
	expect_exit 4 "$CAIRN" open -i id --signer sign.pub -C out d.cairn
	[ ! -e out ]
}

@test "tardiff: an NFD name seals byte for byte; cairn and GNU tar extract the same bytes" {
	keys_and_archive
	mkdir mac
	nfd=$(printf 'cafe\314\201.txt')
	nfc=$(printf 'caf\303\251.txt')
	printf 'decomposed\n' >"mac/$nfd"
	expect_exit 0 "$CAIRN" seal -r "$R" -s sign.key -o m.cairn mac
	expect_exit 0 "$CAIRN" verify -i id --signer sign.pub m.cairn
	expect_exit 0 "$CAIRN" open -i id --signer sign.pub -C out m.cairn
	[ -e "out/mac/$nfd" ] && [ ! -e "out/mac/$nfc" ]
	mkdir chk && age -d -i id m.cairn | tar -xf - -C chk
	[ "$(ls chk/mac | od -c)" = "$(ls out/mac | od -c)" ]
	(cd chk && sha256sum -c --strict SHA256SUMS) >/dev/null
	grep -q "$nfd" chk/SHA256SUMS
	[ "$(jq -r '.entries[1].path' chk/manifest.json)" = "mac/$nfd" ]
}
