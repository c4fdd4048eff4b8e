// `longtail reviewers add|list|disable [NAME] [--role reviewer|adjudicator|admin] --queue URL`:
// the accounts `longtail review` asks tokens of. `add` prints the account's token once; the queue
// keeps only a password hash of it.
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "labeling/queue/review_queue.h"
#include "labeling/review/reviewer_tokens.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

using nlohmann::json;

struct ReviewersCommandOptions {
  std::string queue;
  std::string name;
  std::string role = "reviewer";
  bool json = false;
};

int Add(const ReviewersCommandOptions& o) {
  const auto role = labeling::ParseReviewerRole(o.role);
  if (!role) throw CLI::ValidationError("--role", "'" + o.role + "' is not a role");
  const std::string secret = labeling::review::NewTokenSecret();
  // The id is only known once the row exists, and the hash covers the secret alone, so the row is
  // written with the hash and the token is the id joined to the secret.
  const std::int64_t id = labeling::OpenQueue(o.queue)->AddReviewer(
      o.name, *role, labeling::review::HashTokenSecret(secret));
  const std::string token = labeling::review::JoinToken(id, secret);
  if (o.json) {
    std::cout << json{{"name", o.name}, {"role", o.role}, {"token", token}}.dump(2) << "\n";
  } else {
    std::cout << token << "\n";
    std::cerr << "longtail reviewers add: " << o.name << " (" << o.role
              << ") can log in with the token above; it is shown only now (the queue keeps a "
                 "hash)\n";
  }
  return kExitOk;
}

int List(const ReviewersCommandOptions& o) {
  labeling::proto::QueueOptions options;
  options.set_read_only(true);
  const auto accounts = labeling::OpenQueue(o.queue, options)->ListReviewers();
  json out = json::array();
  for (const auto& a : accounts) {
    out.push_back({{"name", a.name},
                   {"role", labeling::ToString(a.role)},
                   {"disabled", a.disabled},
                   {"created_ns", sensors::ToNanos(a.created)}});
  }
  if (o.json) {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(24) << "name" << std::setw(13) << "role"
            << "state\n";
  for (const auto& a : accounts) {
    std::cout << std::left << std::setw(24) << a.name << std::setw(13) << labeling::ToString(a.role)
              << (a.disabled ? "disabled" : "active") << "\n";
  }
  return kExitOk;
}

int Disable(const ReviewersCommandOptions& o) {
  labeling::OpenQueue(o.queue)->DisableReviewer(o.name);
  std::cout << o.name << " is disabled: the account's token no longer works\n";
  return kExitOk;
}

}  // namespace

void AddReviewersCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ReviewersCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "reviewers",
      "Accounts of the review server: add (prints a one-time token), list, disable. Once a queue\n"
      "has an account, `longtail review` asks every API call for a token.");
  command->require_subcommand(1);
  auto add = [&](const std::string& name, const std::string& help, auto run) {
    return AddQueueSubcommand(command, o, exit_code, name, help, run);
  };
  auto* adder = add("add", "add an account and print its token (shown once)", Add);
  adder->add_option("name", o->name, "the reviewer's name, as the audit trail will record it")
      ->required()
      ->check([](const std::string& name) {
        // The same rule as the names the review API accepts.
        if (name.empty() || name.size() > 100) return std::string("1 to 100 characters");
        for (const unsigned char c : name) {
          if (c < 0x20 || c == 0x7f) return std::string("no control characters");
        }
        return std::string();
      });
  adder
      ->add_option("--role", o->role,
                   "reviewer (review), adjudicator (and resolve disagreements) or admin (and "
                   "mark gold, manage accounts)")
      ->check(CLI::IsMember({"reviewer", "adjudicator", "admin"}))
      ->capture_default_str();
  add("list", "every account: name, role, active or disabled", List);
  auto* disable = add("disable", "disable an account for good: its token stops working", Disable);
  disable->add_option("name", o->name, "the account's name")->required();
}

}  // namespace longtail::tools
