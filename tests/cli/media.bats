#!/usr/bin/env bats
# media.bats - cairn on the file systems of USB sticks and SD cards: exFAT
# (Debian exfat-fuse on a loop device) and FAT (Debian fusefat on an image
# file), both through FUSE since the kernel here may lack vfat.  exFAT and
# FAT have no hard links, and their FUSE drivers no renameat2(NOREPLACE):
# seal/encrypt -o and open -C must still publish without replacing
# anything; exFAT shows every file as 0777, so an identity there is used
# with a warning instead of being refused.  Skips with the reason where
# FUSE, loop devices or the tools are missing.  Mounts are made once per
# file and always unmounted and detached in teardown_file.

load helpers

media_skip() {
	echo "$1" >"$BATS_FILE_TMPDIR/skip-$2"
}

setup_file() {
	local d=$BATS_FILE_TMPDIR
	[ -e /dev/fuse ] || { media_skip "no /dev/fuse (FUSE unavailable)" all; return 0; }
	# exFAT: mount.exfat-fuse needs a block device, so a loop device (root).
	if ! command -v mkfs.exfat >/dev/null || ! command -v mount.exfat-fuse >/dev/null; then
		media_skip "mkfs.exfat or mount.exfat-fuse missing (scripts/install-deps)" exfat
	elif [ "$(id -u)" -ne 0 ] || ! command -v losetup >/dev/null; then
		media_skip "exFAT through FUSE needs a loop device (root and losetup)" exfat
	else
		truncate -s 64M "$d/exfat.img" && mkfs.exfat "$d/exfat.img" >/dev/null 2>&1 &&
		    losetup --find --show "$d/exfat.img" >"$d/exfat.loop" 2>/dev/null &&
		    mkdir -p "$d/exfat" &&
		    mount.exfat-fuse "$(cat "$d/exfat.loop")" "$d/exfat" >/dev/null 2>&1 ||
		    media_skip "could not attach or mount an exFAT image (loop devices or FUSE unusable here)" exfat
	fi
	if ! command -v mkfs.fat >/dev/null || ! command -v fusefat >/dev/null; then
		media_skip "mkfs.fat or fusefat missing (scripts/install-deps)" fat
	else
		truncate -s 64M "$d/fat.img" && mkfs.fat "$d/fat.img" >/dev/null 2>&1 &&
		    mkdir -p "$d/fat" && fusefat -o rw+ "$d/fat.img" "$d/fat" >/dev/null 2>&1 ||
		    media_skip "could not mount a FAT image with fusefat (FUSE unusable here)" fat
	fi
}

teardown_file() {
	local d=$BATS_FILE_TMPDIR
	for m in "$d/exfat" "$d/fat"; do
		if mountpoint -q "$m" 2>/dev/null; then
			umount "$m" 2>/dev/null || fusermount -u "$m" 2>/dev/null || umount -l "$m"
		fi
	done
	if [ -s "$d/exfat.loop" ]; then
		losetup -d "$(cat "$d/exfat.loop")" 2>/dev/null || true
	fi
	rm -f "$d/exfat.img" "$d/fat.img"
}

# on_media FS: skip unless FS (exfat or fat) is mounted; sets M to a fresh
# directory on it for this test.
on_media() {
	local s
	for s in all "$1"; do
		if [ -f "$BATS_FILE_TMPDIR/skip-$s" ]; then
			skip "$(cat "$BATS_FILE_TMPDIR/skip-$s")"
		fi
	done
	M="$BATS_FILE_TMPDIR/$1/t$BATS_TEST_NUMBER"
	mkdir -p "$M"
	"$CAIRN" keygen >/dev/null 2>&1
	mkdir -p ev
	echo "statement of source A" >ev/a.txt
	payload 70000 ev/photo.jpg
}

# no_link_no_noreplace: the mount really lacks hard links and
# renameat2(RENAME_NOREPLACE), so these tests exercise the fallbacks.
lacks_link() {
	echo x >"$M/.probe"
	! ln "$M/.probe" "$M/.probe2" 2>/dev/null
	local r=$?
	rm -f "$M/.probe" "$M/.probe2"
	return $r
}

seal_on() {
	on_media "$1"
	lacks_link
	expect_exit 0 "$CAIRN" seal -q -o "$M/x.cairn" ev
	[ -s "$M/x.cairn" ]
	expect_exit 0 "$CAIRN" verify -q -i home/identity "$M/x.cairn"
	assert_no_temp "$M"
	# no-replace: a second seal to the same name fails and keeps the first
	cp "$M/x.cairn" before
	expect_exit 1 "$CAIRN" seal -q -o "$M/x.cairn" ev
	assert_stderr_has "x.cairn: file exists"
	assert_same before "$M/x.cairn"
	assert_no_temp "$M"
}

@test "exFAT: seal -o publishes without link() and never replaces" {
	seal_on exfat
}

@test "FAT: seal -o publishes without link() and never replaces" {
	seal_on fat
}

encrypt_on() {
	on_media "$1"
	expect_exit 0 "$CAIRN" encrypt -R home/recipients -o "$M/a.age" ev/a.txt
	"$CAIRN" decrypt -i home/identity "$M/a.age" >got
	assert_same ev/a.txt got
	cp "$M/a.age" before
	expect_exit 1 "$CAIRN" encrypt -R home/recipients -o "$M/a.age" ev/photo.jpg
	assert_same before "$M/a.age"
	assert_no_temp "$M"
}

@test "exFAT: encrypt -o works and never replaces" {
	encrypt_on exfat
}

@test "FAT: encrypt -o works and never replaces" {
	encrypt_on fat
}

@test "exFAT: open -C extracts onto the stick; an existing directory is refused" {
	on_media exfat
	"$CAIRN" seal -q -o x.cairn ev
	expect_exit 0 "$CAIRN" open -q -i home/identity -C "$M/out" x.cairn
	assert_same ev/a.txt "$M/out/ev/a.txt"
	assert_same ev/photo.jpg "$M/out/ev/photo.jpg"
	expect_exit 1 "$CAIRN" open -q -i home/identity -C "$M/out" x.cairn
	assert_stderr_has "already exists"
	[ -z "$(ls -A "$M" | grep -v '^out$')" ]
}

@test "FAT (fusefat): open -C never reports a folder emptied by the driver's rename" {
	on_media fat
	"$CAIRN" seal -q -o x.cairn ev
	run --separate-stderr "$CAIRN" open -i home/identity -C "$M/out" x.cairn
	if [ "$status" -eq 0 ]; then
		# a driver that renames directories intact
		assert_same ev/a.txt "$M/out/ev/a.txt"
	else
		# fusefat 0.1a empties a renamed directory: cairn must say so
		[ "$status" -eq 1 ]
		assert_stderr_has "did not move the checked folder into place intact"
		[[ "$output" != *"result:      OK"* ]]
		[ ! -e "$M/out" ]
	fi
}

@test "exFAT: an identity on the stick (0777) is used with a warning naming -i -" {
	on_media exfat
	"$CAIRN" seal -q -o x.cairn ev
	cp home/identity "$M/identity"
	chmod 600 "$M/identity" || true
	[ "$(stat -c %a "$M/identity")" = 777 ]
	expect_exit 0 "$CAIRN" verify -q -i "$M/identity" x.cairn
	assert_stderr_has "identity file is on a file system that cannot store permissions"
	assert_stderr_has "-i -"
	# the same file on a file system with permissions is still refused
	cp "$M/identity" id-here
	chmod 644 id-here
	expect_exit 1 "$CAIRN" verify -q -i id-here x.cairn
	assert_stderr_has "accessible by group or others"
	assert_stderr_has "chmod 600"
}

@test "exFAT: a signing key on the stick is used with a warning naming -s -" {
	on_media exfat
	cp home/signing.key "$M/signing.key"
	expect_exit 0 "$CAIRN" seal -q -s "$M/signing.key" -o "$M/x.cairn" ev
	assert_stderr_has "signing key is on a file system that cannot store permissions"
	assert_stderr_has "-s -"
	expect_exit 0 "$CAIRN" verify -q -i home/identity --signer home/signing.pub "$M/x.cairn"
}

@test "FAT: key home files on the stick work (keygen -o, seal, open)" {
	on_media fat
	expect_exit 0 "$CAIRN" keygen -o "$M/my-key"
	rec=$(grep -o 'age1[0-9a-z]*' <<<"$output" | head -1)
	[ -n "$rec" ]
	expect_exit 0 "$CAIRN" seal -q -r "$rec" -o "$M/y.cairn" ev
	expect_exit 0 "$CAIRN" verify -q -i "$M/my-key" "$M/y.cairn"
	assert_no_temp "$M"
}
