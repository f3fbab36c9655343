#!/usr/bin/env bats
# exif.bats - capture metadata (issue 16): EXIF of JPEG photos made here
# with ImageMagick's convert and written with exiftool is recorded in the
# manifest exactly; list (plain and --json) and verify --json show it; a
# photo without GPS is not reported as having GPS; a corrupt EXIF block
# is sealed and marked "damaged"; hostile text in a tag is made
# printable; mat2 strips the position before sealing; a version 1 archive
# (older cairn) still verifies.

load helpers

setup_file() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	"$CAIRN" keygen >/dev/null 2>&1
}

# needs the photo tools; skip with the reason otherwise
tools() {
	export CAIRN_HOME="$BATS_FILE_TMPDIR/home"
	[ -x /usr/bin/convert ] || skip "ImageMagick (convert) not installed: scripts/install-deps"
	command -v exiftool >/dev/null || skip "exiftool not installed: scripts/install-deps"
}

# photo FILE [EXIFTOOL ARGS...]: a small JPEG made by convert, tagged by
# exiftool with the arguments given (none: no EXIF block at all).
photo() {
	local f=$1
	shift
	/usr/bin/convert -size 64x48 xc:steelblue "$f"
	if [ $# -gt 0 ]; then
		exiftool -q -overwrite_original "$@" "$f"
	fi
}

TAGS=(-Make=TestCam "-Model=Model X 100"
	"-DateTimeOriginal=2024:05:06 07:08:09" -OffsetTimeOriginal=+02:00)
GPS=(-GPSLatitude=52.5200083 -GPSLatitudeRef=N -GPSLongitude=13.404954
	-GPSLongitudeRef=E -GPSDateStamp=2024:05:06 -GPSTimeStamp=05:08:09)

# seal_list DIR: seal DIR into a.cairn and its list --json into m.json
seal_list() {
	expect_exit 0 "$CAIRN" seal -o a.cairn "$1"
	expect_exit 0 "$CAIRN" list --json a.cairn
	printf '%s\n' "$output" >m.json
}

@test "a GPS photo: every field in the manifest exactly, GPS reported" {
	tools
	mkdir ev
	photo ev/gps.jpg "${TAGS[@]}" "${GPS[@]}"
	# what exiftool itself reads back, as the reference
	[ "$(printf '%.7f' "$(exiftool -s3 -n -GPSLatitude ev/gps.jpg)")" = 52.5200083 ]
	seal_list ev
	jq -en 'input | .version == 2' m.json
	jq -en 'input | .entries[] | select(.path == "ev/gps.jpg") | .exif == {
	    "status": "ok", "taken_at": "2024-05-06T07:08:09",
	    "taken_offset": "+02:00", "make": "TestCam",
	    "model": "Model X 100", "gps_latitude": "52.5200083",
	    "gps_longitude": "13.4049540",
	    "gps_time": "2024-05-06T05:08:09Z"}' m.json
	expect_exit 0 "$CAIRN" list a.cairn
	assert_output_has "exif: taken 2024-05-06T07:08:09+02:00, TestCam Model X 100, GPS 52.5200083,13.4049540"
	assert_output_has "1 file with EXIF, 1 with a GPS position"
	expect_exit 0 "$CAIRN" verify --json a.cairn
	printf '%s\n' "$output" >v.json
	jq -en 'input | .ok == true and (.exif | length == 1) and
	    .exif[0].path == "ev/gps.jpg" and
	    .exif[0].gps_latitude == "52.5200083"' v.json
	expect_exit 0 "$CAIRN" verify a.cairn
	assert_output_has "metadata:    1 file with EXIF, 1 with a GPS position"
}

@test "south and west are negative; a photo without GPS is not reported with GPS" {
	tools
	mkdir ev
	photo ev/south.jpg -GPSLatitude=33.8688197 -GPSLatitudeRef=S \
	    -GPSLongitude=70.6692655 -GPSLongitudeRef=W
	photo ev/nogps.jpg "${TAGS[@]}"
	seal_list ev
	jq -en 'input | .entries[] | select(.path == "ev/south.jpg") |
	    .exif.gps_latitude == "-33.8688197" and
	    .exif.gps_longitude == "-70.6692655" and .exif.make == null' m.json
	jq -en 'input | .entries[] | select(.path == "ev/nogps.jpg") |
	    .exif.status == "ok" and .exif.gps_latitude == null and
	    .exif.gps_longitude == null and .exif.gps_time == null and
	    .exif.taken_at == "2024-05-06T07:08:09"' m.json
	expect_exit 0 "$CAIRN" list a.cairn
	# the no-GPS photo's row has no position
	row=$(grep -A1 'ev/nogps.jpg' <<<"$output" | tail -1)
	[[ "$row" == *"exif: taken 2024-05-06T07:08:09+02:00, TestCam Model X 100" ]]
	[[ "$row" != *GPS* ]] || { echo "no-GPS photo shown with GPS: $row"; return 1; }
	assert_output_has "2 files with EXIF, 1 with a GPS position"
	expect_exit 0 "$CAIRN" verify --json a.cairn
	jq -en 'input | [.exif[] | select(.gps_latitude != null) | .path] ==
	    ["ev/south.jpg"]' <<<"$output"
}

@test "no EXIF block, or not a photo: exif null and nothing reported" {
	tools
	mkdir ev
	photo ev/plain.jpg
	printf 'notes\n' >ev/notes.txt
	seal_list ev
	# no "exif" key at all, and version 1: older cairn reads the archive
	jq -en 'input | [.entries[] | has("exif")] == [false, false, false]' m.json
	jq -en 'input | .version == 1' m.json
	expect_exit 0 "$CAIRN" list a.cairn
	[[ "$output" != *exif:* && "$output" != *"with EXIF"* ]]
	expect_exit 0 "$CAIRN" verify --json a.cairn
	jq -en 'input | .exif == []' <<<"$output"
}

@test "a corrupt EXIF block: sealed, verified, marked damaged" {
	tools
	mkdir ev
	photo ev/bad.jpg "${TAGS[@]}" "${GPS[@]}"
	# the TIFF byte-order mark right after "Exif\0\0" becomes "XX"
	off=$(grep -obUaP 'Exif\x00\x00' ev/bad.jpg | head -1 | cut -d: -f1)
	[ -n "$off" ]
	printf 'XX' | dd of=ev/bad.jpg bs=1 seek=$((off + 6)) conv=notrunc 2>/dev/null
	cp ev/bad.jpg before.jpg
	seal_list ev
	jq -en 'input | .entries[] | select(.path == "ev/bad.jpg") | .exif == {
	    "status": "damaged", "taken_at": null, "taken_offset": null,
	    "make": null, "model": null, "gps_latitude": null,
	    "gps_longitude": null, "gps_time": null}' m.json
	expect_exit 0 "$CAIRN" list a.cairn
	assert_output_has "exif: DAMAGED (libexif reported corrupt data)"
	expect_exit 0 "$CAIRN" verify a.cairn
	# the original is sealed unchanged
	expect_exit 0 "$CAIRN" open -C out a.cairn
	assert_same before.jpg out/ev/bad.jpg
}

# late FILE: FILE (convert's JPEG: SOI, an 18-byte JFIF segment, EXIF)
# with a 65426-byte comment segment put first, so that its EXIF block
# starts within the first 64 KiB libmagic is given and ends after them
# (the block is then read again from up to 256 KiB).
late() {
	{ head -c 2 "$1"; printf '\377\376\377\224'; head -c 65426 /dev/zero
	  tail -c +3 "$1"; } >"$1.tmp"
	mv "$1.tmp" "$1"
}

@test "libmagic and EXIF on a second thread: the manifest equals one thread's" {
	tools
	mkdir ev
	photo ev/gps.jpg "${TAGS[@]}" "${GPS[@]}"
	photo ev/late.jpg "${TAGS[@]}" "${GPS[@]}"
	late ev/late.jpg
	off=$(grep -obUaP 'Exif\x00\x00' ev/late.jpg | head -1 | cut -d: -f1)
	[ "$off" -lt 65536 ] && [ "$((off + 200))" -gt 65536 ]
	photo ev/bad.jpg "${TAGS[@]}"
	off=$(grep -obUaP 'Exif\x00\x00' ev/bad.jpg | head -1 | cut -d: -f1)
	printf 'XX' | dd of=ev/bad.jpg bs=1 seek=$((off + 6)) conv=notrunc 2>/dev/null
	photo ev/plain.jpg
	# bench/gencorpus's kinds: JPEG, PNG, PDF headers and text notes
	for i in $(seq 1 30); do
		n=$((i * 997 % 60000 + 300))
		photo "ev/p$i.jpg" "-Model=Cam $i" "-DateTimeOriginal=2024:05:06 07:08:$((i + 10))"
		{ printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\003\040\000\000\002\025\010\006\000\000\000\001\002\003\004'
		  head -c "$n" /dev/urandom; } >"ev/shot_$i.png"
		{ printf '%%PDF-1.7\n1 0 obj\n<< /Length %d >>\nstream\n' "$n"
		  head -c "$n" /dev/urandom; printf '\nendstream\nendobj\n%%%%EOF\n'; } >"ev/scan_$i.pdf"
		seq 1 $((i * 40)) | sed 's/$/ witness statement north wall./' >"ev/note_$i.txt"
	done
	CAIRN_THREADS=1 "$CAIRN" seal -q -o one.cairn ev
	CAIRN_THREADS=2 CAIRN_SEAL_THREADS=1 "$CAIRN" seal -q -o two.cairn ev
	"$CAIRN" list --json one.cairn | jq -S .entries >one.json
	"$CAIRN" list --json two.cairn | jq -S .entries >two.json
	[ "$(jq length one.json)" -eq 125 ]
	diff one.json two.json
	# the types and EXIF blocks were read on both paths, not defaulted
	jq -e '[.[] | select(.path | endswith(".jpg")) | .mime] | unique == ["image/jpeg"]' two.json
	jq -e '[.[] | select(.type == "file") | .mime] | unique == ["application/pdf", "image/jpeg", "image/png", "text/plain"]' two.json
	jq -e '.[] | select(.path == "ev/late.jpg") | .exif.status == "ok" and .exif.gps_latitude == "52.5200083"' two.json
	jq -e '.[] | select(.path == "ev/bad.jpg") | .exif.status == "damaged"' two.json
	jq -e '.[] | select(.path == "ev/p7.jpg") | .exif.model == "Cam 7"' two.json
	jq -e '[.[] | select(.path == "ev/plain.jpg") | has("exif")] == [false]' two.json
}

@test "hostile tag text is kept printable; list shows no control bytes" {
	tools
	mkdir ev
	photo ev/h.jpg "-Make=Cam$(printf '\033')[31mRED" "-Model=$(printf 'caf\303\251')"
	seal_list ev
	jq -en 'input | .entries[1].exif.make == "Cam?[31mRED" and
	    .entries[1].exif.model == "caf??"' m.json
	expect_exit 0 "$CAIRN" list a.cairn
	if printf '%s' "$output" | grep -qP '\x1b'; then
		echo "raw ESC on stdout"
		return 1
	fi
}

@test "mat2 strips the position before sealing; the archive then has none" {
	tools
	command -v mat2 >/dev/null || skip "mat2 not installed: scripts/install-deps"
	mkdir ev
	photo gps.jpg "${TAGS[@]}" "${GPS[@]}"
	mat2 gps.jpg >/dev/null 2>&1 || skip "mat2 cannot clean JPEGs here"
	mv gps.cleaned.jpg ev/clean.jpg
	seal_list ev
	jq -en 'input | .entries[1].path == "ev/clean.jpg" and
	    (.entries[1].exif == null or .entries[1].exif.gps_latitude == null)' m.json
}

# repack_with JQ OUT: x/manifest.json changed by the jq program, SHA256SUMS
# recomputed, and x (one photo, unsigned) tarred in cairn's member order
# and encrypted to $R with stock tools.
repack_with() {
	jq "$1" x/manifest.json >m1
	mv m1 x/manifest.json
	(cd x && sha256sum manifest.json ev/gps.jpg >SHA256SUMS)
	(cd x && tar --format=ustar --no-recursion --owner=0 --group=0 \
	    --numeric-owner -cf - manifest.json ev ev/gps.jpg SHA256SUMS) |
	    age -r "$R" -o "$2"
}

@test "a version 1 archive (before EXIF) still lists and verifies" {
	tools
	age-keygen -o id 2>/dev/null
	R=$(age-keygen -y id)
	mkdir ev
	photo ev/gps.jpg "${TAGS[@]}" "${GPS[@]}"
	expect_exit 0 "$CAIRN" seal --no-sign -r "$R" -o new.cairn ev
	mkdir x
	age -d -i id new.cairn | tar -xf - -C x
	# the manifest as cairn 0.1.0 wrote it: version 1, no exif keys
	repack_with '.version = 1 | .entries |= map(del(.exif))' old.cairn
	expect_exit 0 "$CAIRN" verify --allow-unsigned -i id old.cairn
	expect_exit 0 "$CAIRN" list --json -i id old.cairn
	jq -en 'input | .version == 1 and (.entries[1] | has("exif") | not)' <<<"$output"
	expect_exit 0 "$CAIRN" verify --json --allow-unsigned -i id old.cairn
	jq -en 'input | .ok == true and .exif == []' <<<"$output"
	# must fail: the same version 1 manifest with an exif key is refused
	repack_with '.entries[1].exif = null' bad.cairn
	expect_exit 4 "$CAIRN" verify --allow-unsigned -i id bad.cairn
}
