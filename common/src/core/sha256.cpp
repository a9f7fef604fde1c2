#include "enumwatch/core/sha256.hpp"

#include <openssl/evp.h>

#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace {

unsigned int digest(std::string_view text, unsigned char (&hash)[EVP_MAX_MD_SIZE]) {
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), hash, &length, EVP_sha256(), nullptr) != 1) {
    throw Error("computing a SHA-256 digest failed inside OpenSSL (EVP_Digest)");
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
