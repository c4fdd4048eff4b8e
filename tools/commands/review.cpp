// `longtail review --queue URL [--port N] [--host ADDR] [--gold-rate R] [--claim-order O]
// [--insecure-no-accounts] [--tls-cert PEM --tls-key PEM]`: serve the review page over a queue.
#include <csignal>
#include <iostream>
#include <memory>

#include "labeling/queue/review_queue.h"
#include "labeling/review/review_server.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct ReviewCommandOptions {
  std::string queue;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string web_root;
  double gold_rate = 0;
  std::string claim_order = "severity";
  bool insecure_no_accounts = false;
  std::string tls_cert, tls_key;
};

// The server that Ctrl-C / SIGTERM stops; one per process.
labeling::review::ReviewServer* running_server = nullptr;

extern "C" void StopOnSignal(int) {
  // Stop() only flips flags and shuts the listening socket: safe enough here, and the only way
  // to leave the accept loop cleanly.
  if (running_server != nullptr) running_server->Stop();
}

int RunReview(const ReviewCommandOptions& o) {
  labeling::proto::ReviewServerOptions options;
  options.set_host(o.host);
  options.set_port(o.port);
  if (!o.web_root.empty()) options.set_web_root(o.web_root);
  options.set_insecure_no_accounts(o.insecure_no_accounts);
  options.set_tls_cert_file(o.tls_cert);
  options.set_tls_key_file(o.tls_key);
  if (o.port < 0 || o.port > 65535) throw UsageError("--port must be in [0, 65535]");
  {
    labeling::proto::QueueOptions queue_options;
    queue_options.set_gold_rate(o.gold_rate);
    queue_options.set_claim_order(o.claim_order == "novelty"
                                      ? labeling::proto::QueueOptions::NOVELTY
                                      : labeling::proto::QueueOptions::SEVERITY);
    labeling::review::ReviewServer server(labeling::OpenQueue(o.queue, queue_options), options);
    const int port = server.Bind();
    running_server = &server;
    std::signal(SIGINT, StopOnSignal);
    std::signal(SIGTERM, StopOnSignal);
    // One line a script can wait for and parse (the browser test does).
    const bool tls = !o.tls_cert.empty();
    std::cout << "longtail review: serving " << labeling::RedactedQueueUrl(o.queue) << " at "
              << (tls ? "https" : "http") << "://" << o.host << ":" << port << "/" << std::endl;
    server.Serve();
    running_server = nullptr;
  }
  return kExitOk;
}

}  // namespace

void AddReviewCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ReviewCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "review",
      "Serve the review page: annotators claim tasks, see the camera and the point cloud with the\n"
      "pre-labels, fix boxes and accept, correct or reject. Prints the URL once listening.");
  command->add_option("--queue", options->queue, "review queue URL (sqlite path or postgresql://)")
      ->required();
  command->add_option("--port", options->port, "TCP port; 0 picks a free one")
      ->capture_default_str();
  command
      ->add_option("--host", options->host,
                   "address to listen on (loopback by default); any other needs reviewer accounts "
                   "(`longtail reviewers add`) or --insecure-no-accounts")
      ->capture_default_str();
  command->add_flag("--insecure-no-accounts", options->insecure_no_accounts,
                    "listen on a non-loopback --host although the queue has no reviewer accounts: "
                    "anyone who reaches the port can review as anyone");
  auto* cert = command->add_option("--tls-cert", options->tls_cert,
                                   "PEM certificate (chain): serve HTTPS (with --tls-key)");
  auto* key = command->add_option("--tls-key", options->tls_key, "PEM private key of --tls-cert");
  cert->needs(key);
  key->needs(cert);
  command->add_option("--web-root", options->web_root,
                      "serve the page from this folder instead of the built copy");
  command
      ->add_option("--gold-rate", options->gold_rate,
                   "share of each reviewer's claims that are hidden checks against gold tasks "
                   "(`queue mark-gold`)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command
      ->add_option("--claim-order", options->claim_order,
                   "severity, or novelty: severity weighed by how unlike accepted episodes a task "
                   "is")
      ->check(CLI::IsMember({"severity", "novelty"}))
      ->capture_default_str();
  command->callback([options, exit_code] { *exit_code = RunReview(*options); });
}

}  // namespace longtail::tools
