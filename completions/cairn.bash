# bash completion for cairn(1)                             -*- shell-script -*-
# Installed as share/bash-completion/completions/cairn; also works when
# sourced directly (it needs nothing from the bash-completion package).
#
# Keep in step with the CLI: tests/cli/packaging.bats checks that every
# verb in `cairn --help` and every flag in `cairn VERB --help` is offered.

_cairn_verbs="keygen pubkey encrypt decrypt seal list verify open parity repair salvage split combine share recovery stamp log remote push pull signer help"

# Flags per verb ("share check" etc. are keyed "share_check").
_cairn_flags_keygen="-o --output -p --passphrase --passphrase-file -h --help"
_cairn_flags_pubkey="-i --identity --passphrase-file --signing -s --signing-key --json -h --help"
_cairn_flags_encrypt="-r --recipient -R --recipients-file -p --passphrase --passphrase-file -a --armor -o --output --force -q --quiet -h --help"
_cairn_flags_decrypt="-i --identity --passphrase-file --share --share-passphrase-file -o --output --force -q --quiet -h --help"
_cairn_flags_seal="-r --recipient -R --recipients-file -p --passphrase --passphrase-file -s --signing-key --signing-passphrase-file --no-sign -m --note --note-file --case -a --armor -o --output --tsa --name --no-recovery --force --parity --no-readback --remove-originals --skip-unreadable --push --json -q --quiet -h --help"
_cairn_flags_list="-i --identity --passphrase-file --share --share-passphrase-file --json -h --help"
_cairn_flags_verify="-i --identity --passphrase-file --share --share-passphrase-file --signer --any-signer --allow-unsigned --tsa-ca --json -q --quiet -h --help"
_cairn_flags_stamp="-t --tsa --proxy --sums -i --identity --passphrase-file --share --share-passphrase-file -q --quiet -h --help"
_cairn_flags_log="--signer --archive -o --output --json -h --help"
_cairn_flags_open="-i --identity --passphrase-file --share --share-passphrase-file --signer --any-signer --allow-unsigned -C --directory --json -q --quiet -h --help"
_cairn_flags_parity_create="-q --quiet -h --help"
_cairn_flags_parity_verify="-q --quiet -h --help"
_cairn_flags_repair="-q --quiet -h --help"
_cairn_flags_salvage="-i --identity --passphrase-file --share --share-passphrase-file --signer --any-signer -C --directory -q --quiet -h --help"
_cairn_flags_split="-t --threshold -n --shares --group --group-threshold --to --name --passphrase-file --identity-passphrase-file -o --output --print --secret-hex-file --iteration-exponent --json -q --quiet -h --help"
_cairn_flags_combine="-i --identity --identity-passphrase-file --passphrase-file -o --output --print-secret-hex -h --help"
_cairn_flags_share_check="-i --identity --identity-passphrase-file --json -h --help"
_cairn_flags_share_reveal="-i --identity --identity-passphrase-file --to -o --output -h --help"
_cairn_flags_recovery_init="-t --threshold --any-one-can-recover --contact --group --group-threshold --signer -o --output -h --help"
_cairn_flags_recovery_list="-h --help"
_cairn_flags_remote_add="--region --virtual-host --proxy --allow-plain-http --part-size --connections --create --known-hosts --credentials-file --credentials-env -h --help"
_cairn_flags_remote_list="--json -h --help"
_cairn_flags_remote_remove="-h --help"
_cairn_flags_push="--proxy --credentials-file --retries --remove-after-push --json -q --quiet -h --help"
_cairn_flags_pull="-i --identity --passphrase-file --share --share-passphrase-file --signer --any-signer --allow-unsigned --since --proxy --credentials-file --retries --json -q --quiet -h --help"
_cairn_flags_signer_add="-h --help"
_cairn_flags_signer_list="--json -h --help"
_cairn_flags_signer_remove="-h --help"

_cairn_subverbs_share="check reveal"
_cairn_subverbs_recovery="init list"
_cairn_subverbs_parity="create verify"
_cairn_subverbs_remote="add list remove"
_cairn_subverbs_signer="add list remove"

# Complete file names (dirs=1: directories only) into COMPREPLY.
_cairn_files()
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	if [[ $2 == 1 ]]; then
		COMPREPLY=($(compgen -d -- "$1"))
	else
		COMPREPLY=($(compgen -f -- "$1"))
	fi
}

_cairn()
{
	local cur prev verb="" key="" i w nverb=0
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# Find the verb (and sub-verb) before the cursor.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $verb ]]; then
			[[ $w == -* ]] && continue
			verb=$w key=$w nverb=$i
		elif [[ $verb == share || $verb == recovery || $verb == parity ||
		    $verb == remote || $verb == signer ]] && [[ $key == "$verb" ]] &&
		    [[ $w != -* ]]; then
			key=${verb}_$w nverb=$i
			break
		fi
	done

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version -h -V" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_cairn_verbs" -- "$cur"))
		fi
		return 0
	fi

	case $key in
	help)
		((COMP_CWORD == nverb + 1)) &&
		    COMPREPLY=($(compgen -W "$_cairn_verbs" -- "$cur"))
		return 0
		;;
	share | recovery | parity | remote | signer)
		local sub="_cairn_subverbs_$key"
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "${!sub}" -- "$cur"))
		fi
		return 0
		;;
	esac

	# The argument of the previous flag.
	case $prev in
	-i | --identity | -R | --recipients-file | --passphrase-file | \
	    --signing-passphrase-file | -s | --signing-key | --signer | \
	    --note-file | --share | --share-passphrase-file | --secret-hex-file | \
	    --tsa-ca | --credentials-file)
		_cairn_files "$cur"
		return 0
		;;
	-C | --directory)
		_cairn_files "$cur" 1
		return 0
		;;
	-o | --output)
		case $key in
		split | recovery_init) _cairn_files "$cur" 1 ;;
		*) _cairn_files "$cur" ;;
		esac
		return 0
		;;
	-r | --recipient | --to | -m | --note | --case | -t | --threshold | \
	    -n | --shares | --group | --group-threshold | --contact | --name | \
	    --iteration-exponent | --parity | --tsa | --archive | --region | \
	    --proxy | --part-size | --retries | --since | --push)
		# free text: a recipient, a note, a number...
		return 0
		;;
	esac

	local flags="_cairn_flags_$key"
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${!flags-}" -- "$cur"))
		return 0
	fi
	# Positional arguments: files (seal also takes directories).
	[[ $key == keygen ]] || _cairn_files "$cur"
	return 0
}

complete -F _cairn cairn
