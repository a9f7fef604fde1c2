#include "enumwatch/core/sha256.hpp"

#include <openssl/evp.h>

#include <memory>

#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace {

using MdHandle = std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)>;
using MdContextHandle = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// The algorithm fetched once, and a context per thread: EVP_Digest with EVP_sha256() looks the
// algorithm up in the provider's tables and makes a context at every call (some 40 allocations),
// and every quiet poll hashes its fingerprint (docs/performance.md, "Fewer allocations per poll").
const EVP_MD* sha256_algorithm() {
  static const MdHandle md(EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
  if (!md) throw Error("fetching SHA-256 from OpenSSL failed (EVP_MD_fetch)");
  return md.get();
}

unsigned int digest(std::string_view text, unsigned char (&hash)[EVP_MAX_MD_SIZE]) {
  thread_local const MdContextHandle context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int length = 0;
  if (!context || EVP_DigestInit_ex2(context.get(), sha256_algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), hash, &length) != 1) {
    throw Error("computing a SHA-256 digest failed inside OpenSSL (EVP_DigestInit_ex2)");
  }
  return length;
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  const unsigned int length = digest(text, hash);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[hash[i] >> 4];
    out += hex[hash[i] & 0xF];
  }
  return out;
}

std::string sha256_base64(std::string_view text) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  const unsigned int length = digest(text, hash);
  // EVP_EncodeBlock writes 4 characters per 3 bytes, padded, and a terminating NUL.
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int written = EVP_EncodeBlock(encoded, hash, static_cast<int>(length));
  if (written < 0) throw Error("base64-encoding a SHA-256 digest failed inside OpenSSL");
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(written));
}

}  // namespace enumwatch
