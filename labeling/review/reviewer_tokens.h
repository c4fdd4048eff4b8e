// Reviewer tokens: "<account id>.<secret>". The id finds the one account row to check; the secret
// is 32 bytes from libsodium's CSPRNG, hex-encoded. Only a password hash of the secret is stored
// (libsodium crypto_pwhash_str, Argon2id, interactive limits: 2 passes over 64 MiB, a tenth of a
// second or more per hash), so a copy of the database does not give the tokens away.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace longtail::labeling::review {

struct TokenParts {
  std::int64_t account_id = 0;
  std::string secret;
};

// A new secret: 32 random bytes as 64 lowercase hex digits.
std::string NewTokenSecret();
// "<id>.<secret>".
std::string JoinToken(std::int64_t account_id, const std::string& secret);
// The parts of a well-formed token; nullopt for anything else (no dot, id not a positive integer,
// secret not 64 hex digits).
std::optional<TokenParts> SplitToken(const std::string& token);

// The password hash string of `secret` (self-describing: algorithm, limits and salt included).
// Throws std::runtime_error when libsodium cannot allocate the memory it needs.
std::string HashTokenSecret(const std::string& secret);
// Whether `secret` matches `hash` (from HashTokenSecret). False for a malformed hash.
bool VerifyTokenSecret(const std::string& hash, const std::string& secret);
// A fast keyed hash (BLAKE2b) of a whole token, as hex: the key of a cache of tokens already
// verified, so the cache never holds a token itself.
std::string TokenFingerprint(const std::string& token);

// The token of an "Authorization: Bearer <token>" header value; nullopt for another scheme or an
// empty token.
std::optional<std::string> BearerToken(const std::string& authorization);

// Failed logins per client address within a sliding window: once `max_failures` are in the
// window, the address is refused until the oldest falls out of it. Not thread-safe.
class FailedLoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  FailedLoginLimiter(int max_failures, Clock::duration window)
      : max_failures_(max_failures), window_(window) {}
  // Whether `address` has used up its failures at `now`.
  bool Blocked(const std::string& address, Clock::time_point now);
  void RecordFailure(const std::string& address, Clock::time_point now);

 private:
  void Forget(std::deque<Clock::time_point>& failures, Clock::time_point now) const;
  int max_failures_;
  Clock::duration window_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace longtail::labeling::review
