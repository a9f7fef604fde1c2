#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "enumwatch/core/sha256.hpp"

using namespace enumwatch;

TEST_CASE("SHA-256 gives the published digests, the same at every call and on every thread") {
  // FIPS 180-2's examples, and the empty text (sha256sum < /dev/null).
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  CHECK(sha256_hex("abc") == abc);
  CHECK(sha256_hex("") == empty);
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // The context is reused from one call to the next: nothing of one text stays for the next.
  for (int i = 0; i < 3; ++i) {
    CHECK(sha256_hex(std::string(1000, 'a')) == sha256_hex(std::string(1000, 'a')));
    CHECK(sha256_hex("abc") == abc);
  }
  CHECK(sha256_base64("abc") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  std::string on_another_thread;
  std::thread([&] { on_another_thread = sha256_hex("abc"); }).join();
  CHECK(on_another_thread == abc);
}
