#include "enumwatch/sha256.hpp"

#include <openssl/evp.h>

#include "enumwatch/error.hpp"

namespace enumwatch {

std::string sha256_hex(std::string_view text) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), hash, &length, EVP_sha256(), nullptr) != 1) {
    throw Error("computing a SHA-256 digest failed inside OpenSSL (EVP_Digest)");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[hash[i] >> 4];
    out += hex[hash[i] & 0xF];
  }
  return out;
}

}  // namespace enumwatch
