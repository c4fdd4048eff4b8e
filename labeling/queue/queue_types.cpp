#include "labeling/queue/queue_types.h"

#include <array>
#include <utility>

namespace longtail::labeling {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> Parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                          std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view Name(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<TaskState, std::string_view>, 7> kTaskStates{{
    {TaskState::kQueued, "queued"},
    {TaskState::kClaimed, "claimed"},
    {TaskState::kSubmitted, "submitted"},
    {TaskState::kAccepted, "accepted"},
    {TaskState::kCorrected, "corrected"},
    {TaskState::kRejected, "rejected"},
    {TaskState::kSkipped, "skipped"},
}};

constexpr std::array<std::pair<Verdict, std::string_view>, 3> kVerdicts{{
    {Verdict::kAccept, "accept"},
    {Verdict::kCorrect, "correct"},
    {Verdict::kReject, "reject"},
}};

constexpr std::array<std::pair<ClaimState, std::string_view>, 5> kClaimStates{{
    {ClaimState::kClaimed, "claimed"},
    {ClaimState::kSubmitted, "submitted"},
    {ClaimState::kReleased, "released"},
    {ClaimState::kExpired, "expired"},
    {ClaimState::kSkipped, "skipped"},
}};

constexpr std::array<std::pair<RejectReason, std::string_view>, 4> kRejectReasons{{
    {RejectReason::kFalseAlarm, "false_alarm"},
    {RejectReason::kNotWorthReview, "not_worth_review"},
    {RejectReason::kWrongObject, "wrong_object"},
    {RejectReason::kWrongBox, "wrong_box"},
}};

constexpr std::array<std::pair<ReviewerRole, std::string_view>, 3> kReviewerRoles{{
    {ReviewerRole::kReviewer, "reviewer"},
    {ReviewerRole::kAdjudicator, "adjudicator"},
    {ReviewerRole::kAdmin, "admin"},
}};

}  // namespace

std::string_view ToString(ReviewerRole role) { return Name(kReviewerRoles, role); }
std::optional<ReviewerRole> ParseReviewerRole(std::string_view text) {
  return Parse(kReviewerRoles, text);
}

std::string_view ToString(RejectReason reason) { return Name(kRejectReasons, reason); }
std::optional<RejectReason> ParseRejectReason(std::string_view text) {
  return Parse(kRejectReasons, text);
}

std::string_view ToString(TaskState state) { return Name(kTaskStates, state); }
std::optional<TaskState> ParseTaskState(std::string_view text) { return Parse(kTaskStates, text); }
bool IsResolved(TaskState state) {
  return state == TaskState::kAccepted || state == TaskState::kCorrected ||
         state == TaskState::kRejected || state == TaskState::kSkipped;
}

std::string_view ToString(Verdict verdict) { return Name(kVerdicts, verdict); }
std::optional<Verdict> ParseVerdict(std::string_view text) { return Parse(kVerdicts, text); }

std::string_view ToString(ClaimState state) { return Name(kClaimStates, state); }
std::optional<ClaimState> ParseClaimState(std::string_view text) {
  return Parse(kClaimStates, text);
}

}  // namespace longtail::labeling
