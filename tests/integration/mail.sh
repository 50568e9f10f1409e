#!/bin/bash
# tests/integration/mail.sh -- `propwatch mail` against pw-responder: a
# clean domain (no finding, exit 0), a domain with defects (their exact
# ids, exit 1), a resolver that still serves the old MX
# (propagation-incomplete; --wait gives up early), a zone nobody can reach
# or a domain that does not exist (exit 3), and both outputs.
#
#   PROPWATCH=/abs/build/propwatch RESPONDER=/abs/build/pw-responder bash tests/integration/mail.sh
#
# Everything lives on 127.0.26.0/24: resolvers on port 5800, the zones'
# authoritative server on 127.0.26.20:53 (found through SOA, NS and A).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
: "${RESPONDER:?set RESPONDER to the pw-responder binary}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/pw-mail.XXXXXX)
rsp=""
cleanup() {
	[ -n "$rsp" ] && kill "$rsp" 2>/dev/null && wait "$rsp" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && sed 's/^/       /' <<<"$2"; }
pw() { "$PROPWATCH" mail "$@" >"$work/out" 2>"$work/err"; rc=$?; }
jqt() { jq -e "$@" "$work/out" >/dev/null 2>&1; }
ids() { jq -r '[.findings[].id] | unique | join(",")' "$work/out" 2>/dev/null; }

key=$(tr -d '\n' <"$here/../../scripts/lab/keys/dkim-rsa2048.b64")
cat >"$work/r.conf" <<EOF
# M: mail.test, clean; bad.test, with defects; both on ns1 (127.0.26.20).
set M mail.test. 300 IN SOA ns1.mail.test. h.mail.test. 1 3600 600 86400 300
set M mail.test. 300 IN NS ns1.mail.test.
set M ns1.mail.test. 300 IN A 127.0.26.20
set M mail.test. 300 IN MX 10 mx1.mail.test.
set M mail.test. 300 IN MX 20 mx2.mail.test.
set M mx1.mail.test. 300 IN A 192.0.2.11
set M mx1.mail.test. 300 IN AAAA 2001:db8::11
set M mx2.mail.test. 300 IN A 192.0.2.12
set M mx2.mail.test. 300 IN AAAA 2001:db8::12
set M mail.test. 300 IN TXT "v=spf1 mx -all"
set M _dmarc.mail.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mail.test"
set M sel1._domainkey.mail.test. 300 IN TXT "v=DKIM1; k=rsa; p=${key:0:200}" "${key:200}"
set M _mta-sts.mail.test. 300 IN TXT "v=STSv1; id=2026120101"
set M _smtp._tls.mail.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@mail.test"
set M bad.test. 300 IN SOA ns1.mail.test. h.mail.test. 1 3600 600 86400 300
set M bad.test. 300 IN NS ns1.mail.test.
set M bad.test. 300 IN MX 10 mx1.bad.test.bad.test.
set M mx1.bad.test.bad.test. 300 IN A 192.0.2.21
set M _dmarc.bad.test. 300 IN TXT "v=DMARC1; p=none"
# O: the same, but the old MX (a cache that has not caught up).
set O mail.test. 300 IN SOA ns1.mail.test. h.mail.test. 1 3600 600 86400 300
set O mail.test. 300 IN MX 10 mx-old.mail.test.
set O mail.test. 300 IN TXT "v=spf1 mx -all"
set O _dmarc.mail.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mail.test"
set O sel1._domainkey.mail.test. 300 IN TXT "v=DKIM1; k=rsa; p=${key:0:200}" "${key:200}"
set O _mta-sts.mail.test. 300 IN TXT "v=STSv1; id=2026120101"
set O _smtp._tls.mail.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@mail.test"
set O mx1.mail.test. 300 IN A 192.0.2.11
set O mx1.mail.test. 300 IN AAAA 2001:db8::11
set O mx2.mail.test. 300 IN A 192.0.2.12
set O mx2.mail.test. 300 IN AAAA 2001:db8::12
endpoint 127.0.26.1:5800 serve=M ad
endpoint 127.0.26.2:5800 serve=M ad
endpoint 127.0.26.3:5800 serve=M
endpoint 127.0.26.4:5800 silent
endpoint 127.0.26.5:5800 serve=O ad
endpoint 127.0.26.20:53 serve=M aa nora
EOF
"$RESPONDER" -c "$work/r.conf" >"$work/rsp.out" 2>"$work/rsp.err" &
rsp=$!
for _ in $(seq 100); do grep -q ready "$work/rsp.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$work/rsp.out" || { echo "responder did not start"; cat "$work/rsp.err"; exit 1; }

printf '127.0.26.1:5800 ZZ t one\n127.0.26.2:5800 ZZ t two\n127.0.26.3:5800 ZZ t three\n127.0.26.4:5800 ZZ t silent\n' >"$work/good.txt"
{ cat "$work/good.txt"; printf '127.0.26.5:5800 ZZ t old\n'; } >"$work/old.txt"
printf '127.0.26.4:5800 ZZ t silent\n' >"$work/silent.txt"
O=(--timeout 300ms --retries 0 --dkim-selector sel1)

pw -r "$work/good.txt" "${O[@]}" --format json mail.test
if [ "$rc" = 0 ] && jqt '.findings == [] and .summary.errors == 0 and .summary.exit == 0'; then
	ok "clean domain: no finding, exit 0"
else
	fail "clean domain: exit $rc, findings '$(ids)'" "$(head -c 600 "$work/out"; cat "$work/err")"
fi
jqt '.zone == "mail.test." and .servers[0].address == "127.0.26.20" and .dnssec.state == "secure"' &&
	ok "zone, its server and DNSSEC (AD from the resolvers)" || fail "zone/servers/dnssec" "$(head -c 400 "$work/out")"
jqt '.records["mail.test."].MX.source == "auth" and (.records["mail.test."].MX.records | length) == 2
     and .records["sel1._domainkey.mail.test."].TXT.rcode == "NOERROR"' &&
	ok "records as the zone's server serves them" || fail "records"
jqt '(.propagation | length) == 10 and all(.propagation[]; .propagated and .share == 100 and .usable == 3)' &&
	ok "10 records tracked (MX, TXT, _dmarc, _mta-sts, _smtp._tls, sel1, 2 x A/AAAA), all at 100%" ||
	fail "propagation" "$(jq -c '.propagation[] | {name, type, share, usable}' "$work/out")"

pw -r "$work/good.txt" "${O[@]}" --format json bad.test
want=dkim-missing,dmarc-policy-none,mx-no-ipv6,mx-single,mx-target-doubled,spf-missing
if [ "$rc" = 1 ] && [ "$(ids)" = "$want" ]; then
	ok "domain with defects: $want, exit 1"
else
	fail "domain with defects: exit $rc, got '$(ids)', want '$want'" "$(jq -r '.findings[] | "\(.id): \(.message)"' "$work/out")"
fi
jqt '.findings[] | select(.id == "mx-target-doubled") | .fix == "add the trailing dot: `mx1.bad.test.`"' &&
	ok "the doubled target's fix names the trailing dot" || fail "doubled fix"

pw -r "$work/old.txt" "${O[@]}" --format json mail.test
if [ "$rc" = 1 ] && [ "$(ids)" = propagation-incomplete ] &&
	jqt '(.propagation[] | select(.type == "MX") | (.propagated | not) and (.variants | length) == 2 and .eta_s > 200)
	     and (.findings[0].record == "mail.test. MX")'; then
	ok "a cache with the old MX: propagation-incomplete for the MX alone, its variants and ETA"
else
	fail "old MX: exit $rc, '$(ids)'" "$(jq -c '.findings, [.propagation[] | select(.propagated | not)]' "$work/out")"
fi
t0=$(date +%s)
pw -r "$work/old.txt" "${O[@]}" --format json --wait 20s --interval 1s mail.test
if [ "$rc" = 1 ] && [ $(($(date +%s) - t0)) -lt 10 ] && jqt '.summary.note | test("mail.test. MX: gave up early")'; then
	ok "--wait gives up at once when a cache outlives the deadline, naming the record"
else
	fail "--wait: exit $rc" "$(jq -c .summary "$work/out")"
fi

pw -r "$work/old.txt" "${O[@]}" mail.test
if [ "$rc" = 1 ] && grep -q '^MX$' "$work/out" && grep -q '^Propagation$' "$work/out" &&
	grep -q 'warning propagation-incomplete  mail.test. MX' "$work/out" &&
	grep -q 'fix: wait for the caches' "$work/out" && grep -q '1 old:' "$work/out" &&
	grep -q '0 errors, 1 warning, 0 info; 9 of 10 records propagated (exit 1)' "$work/out"; then
	ok "text: findings by area with record and fix, the variants, the summary"
else
	fail "text output" "$(cat "$work/out")"
fi

pw -r "$work/silent.txt" "${O[@]}" --format json mail.test
if [ "$rc" = 3 ] && jqt '.problem | test("no resolver")' && grep -q 'no resolver' "$work/err"; then
	ok "no resolver answers: exit 3, and why"
else
	fail "silent list: exit $rc" "$(cat "$work/out" "$work/err")"
fi
pw -r "$work/good.txt" "${O[@]}" nosuch.mail.test
if [ "$rc" = 3 ] && grep -q 'does not exist' "$work/err"; then
	ok "a domain that does not exist: exit 3"
else
	fail "nonexistent domain: exit $rc" "$(cat "$work/out" "$work/err")"
fi
pw --help
if [ "$rc" = 0 ] && grep -q -- '--dkim-selector S' "$work/out" && ! grep -q -- '--expect' "$work/out"; then
	ok "mail --help lists its options only"
else
	fail "mail --help"
fi
if grep -Eq 'Sanitizer|runtime error' "$work/err"; then fail "sanitizer report" "$(cat "$work/err")"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
