#include "labeling/review/reviewer_tokens.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <stdexcept>

namespace longtail::labeling::review {
namespace {

constexpr std::size_t kSecretBytes = 32;

void InitSodium() {
  // Idempotent and thread-safe; needed before the CSPRNG and pwhash are used.
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

std::string Hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

bool IsLowerHex(const std::string& text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A per-process key so fingerprints cannot be precomputed outside this process.
const std::array<unsigned char, crypto_generichash_KEYBYTES>& FingerprintKey() {
  static const auto key = [] {
    InitSodium();
    std::array<unsigned char, crypto_generichash_KEYBYTES> k{};
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  return key;
}

}  // namespace

std::string NewTokenSecret() {
  InitSodium();
  std::array<unsigned char, kSecretBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex = Hex(bytes.data(), bytes.size());
  sodium_memzero(bytes.data(), bytes.size());
  return hex;
}

std::string JoinToken(std::int64_t account_id, const std::string& secret) {
  return std::to_string(account_id) + "." + secret;
}

std::optional<TokenParts> SplitToken(const std::string& token) {
  const auto dot = token.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 18) return std::nullopt;
  TokenParts parts;
  for (std::size_t i = 0; i < dot; ++i) {
    if (token[i] < '0' || token[i] > '9') return std::nullopt;
    parts.account_id = parts.account_id * 10 + (token[i] - '0');
  }
  parts.secret = token.substr(dot + 1);
  if (parts.account_id <= 0 || parts.secret.size() != kSecretBytes * 2 ||
      !IsLowerHex(parts.secret)) {
    return std::nullopt;
  }
  return parts;
}

std::string HashTokenSecret(const std::string& secret) {
  InitSodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), secret.data(), secret.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("cannot hash the token: out of memory");
  }
  return std::string(out.data());
}

bool VerifyTokenSecret(const std::string& hash, const std::string& secret) {
  InitSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::array<char, crypto_pwhash_STRBYTES> stored{};
  std::copy(hash.begin(), hash.end(), stored.begin());
  return crypto_pwhash_str_verify(stored.data(), secret.data(), secret.size()) == 0;
}

std::string TokenFingerprint(const std::string& token) {
  const auto& key = FingerprintKey();
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), key.data(),
                     key.size());
  return Hex(digest.data(), digest.size());
}

std::optional<std::string> BearerToken(const std::string& authorization) {
  // The scheme is case-insensitive (RFC 7235); the token is everything after one space.
  static const std::string kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string token = authorization.substr(kScheme.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.erase(0, 1);
  if (token.empty()) return std::nullopt;
  return token;
}

void FailedLoginLimiter::Forget(std::deque<Clock::time_point>& failures,
                                Clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

bool FailedLoginLimiter::Blocked(const std::string& address, Clock::time_point now) {
  const auto it = failures_.find(address);
  if (it == failures_.end()) return false;
  Forget(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(it->second.size()) >= max_failures_;
}

void FailedLoginLimiter::RecordFailure(const std::string& address, Clock::time_point now) {
  auto& failures = failures_[address];
  Forget(failures, now);
  failures.push_back(now);
  // Addresses that stopped failing are dropped as they are met again; bound the rest so a flood
  // of addresses cannot grow the map without end.
  if (failures_.size() > 10000) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      Forget(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
}

}  // namespace longtail::labeling::review
