#!/usr/bin/env bash
# Builds mediasoup-worker offline against Debian 12's libraries and installs it
# where mediasoup looks by default (worker/out/Release/mediasoup-worker).
#
# mediasoup's own postinstall downloads a prebuilt worker, pip-installs meson and
# lets meson download subprojects: none of those hosts is reachable here. So the
# project turns that postinstall off (allowScripts) and builds here instead:
#   - each meson wrap is replaced by a subproject that points at Debian's library;
#   - libsrtp: mediasoup is written against the libsrtp 3 API, Debian ships 2, so a
#     small srtp.h maps the calls mediasoup makes;
#   - DtlsTransport.cpp gets a one-character fix: its BIO callback answers "1" to
#     BIO_CB_RETURN|ctrl queries, which makes Debian's KTLS-enabled OpenSSL believe
#     KTLS is on and crash on the first DTLS handshake.
# The binary is cached by mediasoup version + this script's hash, so a reinstall
# restores it in a second.
#
# Usage: mediasoup-worker.sh PATH_TO_node_modules/mediasoup
# Env:   CC_MS_CACHE (cache dir, default ~/.cache/cc-mediasoup-worker), CC_MS_FORCE=1, CC_MS_JOBS
set -euo pipefail

pkg="$(cd "${1:?path to node_modules/mediasoup}" && pwd)"
worker="$pkg/worker"
out="$worker/out/Release"
bin="$out/mediasoup-worker"
version="$(node -p "require('$pkg/package.json').version")"
script_hash="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
cache_dir="${CC_MS_CACHE:-${HOME:-/root}/.cache/cc-mediasoup-worker}/$version-$script_hash"
stamp="$out/.cc-build-$script_hash"

runs() { [ -x "$1" ] && ! ldd "$1" | grep -q 'not found'; }
say() { echo "[setup] mediasoup-worker: $*"; }

if [ "${CC_MS_FORCE:-0}" != 1 ]; then
  if runs "$bin" && [ -f "$stamp" ]; then say "present ($version)"; exit 0; fi
  if runs "$cache_dir/mediasoup-worker"; then
    mkdir -p "$out"; cp "$cache_dir/mediasoup-worker" "$bin"; touch "$stamp"
    say "restored from cache $cache_dir"; exit 0
  fi
fi

for tool in meson ninja pkg-config g++ flatc; do
  command -v "$tool" >/dev/null || { echo "mediasoup-worker: '$tool' is missing; run scripts/setup/apt.sh as root" >&2; exit 1; }
done

t0=$SECONDS
say "building mediasoup $version worker from source (about 5 minutes on 2 cores)"

# 1. The DTLS fix (see header).
dtls="$worker/src/RTC/DtlsTransport.cpp"
sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1/(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1/' "$dtls"
grep -q '(operationType & BIO_CB_RETURN)' "$dtls" || { echo "mediasoup-worker: DTLS patch did not apply to $dtls" >&2; exit 1; }

# 2. Subprojects backed by Debian's libraries instead of downloaded wraps.
sub="$worker/subprojects"
mkdir -p "$sub/.downloaded-wraps-disabled"
shopt -s nullglob
for wrap in "$sub"/*.wrap; do mv "$wrap" "$sub/.downloaded-wraps-disabled/"; done
shopt -u nullglob

system_subproject() { # name, meson.build statements, [meson_options.txt]
  local dir="$sub/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  echo "int cc_system_${1//[^a-z0-9]/_}_placeholder;" > "$dir/placeholder.c"
  printf "project('%s', 'c')\n%s\n" "$1" "$2" > "$dir/meson.build"
  printf '%s\n' "${3:-}" > "$dir/meson_options.txt"
}
system_subproject openssl "
openssl_dep = dependency('openssl', version: '>=3.0')
libssl_dep = dependency('libssl')
libcrypto_dep = dependency('libcrypto')
libssl_lib = static_library('cc_ssl', 'placeholder.c')
libcrypto_lib = static_library('cc_crypto', 'placeholder.c')"
system_subproject libuv "
libuv_dep = dependency('libuv', version: '>=1.44')
libuv = static_library('cc_uv', 'placeholder.c')" "option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)"
system_subproject usrsctp "
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('cc_usrsctp', 'placeholder.c')" "option('sctp_build_programs', type: 'boolean', value: false)"
system_subproject flatbuffers "
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('cc_flatbuffers', 'placeholder.c')"
system_subproject catch2 "
catch2_dep = declare_dependency()
catch2_with_main_dep = declare_dependency()"
absl=""
for m in base flat_hash_map flat_hash_set btree inlined_vector optional memory strings str_format span variant any algorithm_container; do
  absl="$absl dependency('absl_$m'),"
done
system_subproject abseil-cpp "
absl_everything = declare_dependency(dependencies: [$absl])
absl_container_dep = absl_everything
absl_strings_dep = absl_everything
absl_types_dep = absl_everything
absl_base_dep = absl_everything
absl_container_lib = static_library('cc_absl', 'placeholder.c')"
system_subproject libsrtp3 "
libsrtp3_dep = declare_dependency(include_directories: include_directories('include'),
  dependencies: dependency('libsrtp2', version: '>=2.4'))
libsrtp3 = static_library('cc_srtp3', 'placeholder.c')" "option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'string', value: 'disabled')
option('tests', type: 'string', value: 'disabled')"
mkdir -p "$sub/libsrtp3/include"
cat > "$sub/libsrtp3/include/srtp.h" <<'HDR'
/* The libsrtp 3 calls mediasoup-worker makes, implemented with Debian's libsrtp 2.
 * libsrtp 3 takes (in, in_len, out, *out_len) with size_t lengths; libsrtp 2 works
 * in place on one buffer with an int length. */
#ifndef CC_SRTP3_ON_SRTP2_H
#define CC_SRTP3_ON_SRTP2_H
#include <srtp2/srtp.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

typedef srtp_err_status_t (*cc_srtp2_op)(srtp_t, void *, int *);
typedef srtp_err_status_t (*cc_srtp2_mki_op)(srtp_t, void *, int *, unsigned int, unsigned int);

static inline srtp_err_status_t cc_srtp_in_place(cc_srtp2_op op, cc_srtp2_mki_op mki_op, size_t headroom,
    srtp_t ctx, const uint8_t *src, size_t src_len, uint8_t *dst, size_t *dst_len, size_t mki_index)
{
  if (src_len > (size_t)INT_MAX - 64) return srtp_err_status_bad_param;
  if (*dst_len < src_len + headroom) return srtp_err_status_buffer_small;
  if (dst != src) memmove(dst, src, src_len);
  int len = (int)src_len;
  srtp_err_status_t status = (mki_op && mki_index) ? mki_op(ctx, dst, &len, 1, (unsigned int)mki_index) : op(ctx, dst, &len);
  if (status == srtp_err_status_ok) *dst_len = (size_t)len;
  return status;
}
static inline srtp_err_status_t cc_srtp_protect(srtp_t c, const uint8_t *i, size_t il, uint8_t *o, size_t *ol, size_t m)
{ return cc_srtp_in_place(srtp_protect, srtp_protect_mki, SRTP_MAX_TRAILER_LEN, c, i, il, o, ol, m); }
static inline srtp_err_status_t cc_srtp_protect_rtcp(srtp_t c, const uint8_t *i, size_t il, uint8_t *o, size_t *ol, size_t m)
{ return cc_srtp_in_place(srtp_protect_rtcp, srtp_protect_rtcp_mki, SRTP_MAX_TRAILER_LEN + 4, c, i, il, o, ol, m); }
static inline srtp_err_status_t cc_srtp_unprotect(srtp_t c, const uint8_t *i, size_t il, uint8_t *o, size_t *ol)
{ return cc_srtp_in_place(srtp_unprotect, NULL, 0, c, i, il, o, ol, 0); }
static inline srtp_err_status_t cc_srtp_unprotect_rtcp(srtp_t c, const uint8_t *i, size_t il, uint8_t *o, size_t *ol)
{ return cc_srtp_in_place(srtp_unprotect_rtcp, NULL, 0, c, i, il, o, ol, 0); }
#define srtp_protect cc_srtp_protect
#define srtp_protect_rtcp cc_srtp_protect_rtcp
#define srtp_unprotect cc_srtp_unprotect
#define srtp_unprotect_rtcp cc_srtp_unprotect_rtcp
#define srtp_stream_remove srtp_remove_stream
#endif
HDR

# 3. Build (liburing disabled: Debian 12's 2.3 lacks the API mediasoup uses).
mkdir -p "$out"
build="$out/cc-build"
cd "$worker"
# A build directory left by an interrupted run is reused: ninja only redoes what is missing.
reconfigure=()
[ -f "$build/build.ninja" ] && reconfigure=(--reconfigure)
say "meson setup"
meson setup "${reconfigure[@]}" --prefix "$out" --bindir "" --libdir "" --buildtype release -Db_ndebug=true \
  --wrap-mode=nodownload -Dms_disable_liburing=true "$build" >"$out/meson-setup.log" 2>&1 \
  || { cat "$out/meson-setup.log" >&2; exit 1; }
say "generating FlatBuffers headers"
meson compile -C "$build" flatbuffers-generator >/dev/null
say "compiling (ninja shows [done/total])"
# ninja's progress lines are thinned to one in ten so the log stays readable.
compile_start=$SECONDS
meson compile -C "$build" -j "${CC_MS_JOBS:-$(nproc)}" mediasoup-worker 2>&1 | {
  n=0
  while IFS= read -r line; do
    if [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
      n=$((n + 1))
      if (( n % 10 == 1 )); then say "compiled ${BASH_REMATCH[1]}/${BASH_REMATCH[2]} ($((SECONDS - compile_start)) s)"; fi
    else
      echo "$line"
    fi
  done
}
meson install -C "$build" --no-rebuild --tags mediasoup-worker >/dev/null
strip "$bin"
rm -rf "$build"
runs "$bin" || { echo "mediasoup-worker: built binary does not run" >&2; exit 1; }
mkdir -p "$cache_dir"; cp "$bin" "$cache_dir/mediasoup-worker"; touch "$stamp"
say "built in $((SECONDS - t0)) s ($(stat -c %s "$bin") bytes), cached in $cache_dir"
