// Admission: which calls are admitted under each limit, that tickets give
// their place back, and what a refusal tells the caller and the metrics.

#include "common/server/admission.h"

#include <optional>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

TEST(AdmissionTest, RefusesCallsPastTheConcurrencyLimitUntilOneEnds) {
  MetricsRegistry registry;
  Admission admission("Submit and Parse", {2, 1 << 20}, &registry);
  std::optional<Admission::Ticket> first(*admission.Admit("Submit", 10));
  absl::StatusOr<Admission::Ticket> second = admission.Admit("Parse", 10);
  ASSERT_TRUE(second.ok());
  absl::StatusOr<Admission::Ticket> third = admission.Admit("Parse", 10);
  ASSERT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(third.status().message(),
              HasSubstr("limit of 2 Submit and Parse calls running at once"));
  EXPECT_THAT(third.status().message(), HasSubstr("retry after about 1 s"));
  EXPECT_EQ(admission.calls_in_flight(), 2u);

  first.reset();
  EXPECT_EQ(admission.calls_in_flight(), 1u);
  EXPECT_TRUE(admission.Admit("Parse", 10).ok());
  EXPECT_THAT(registry.Render(),
              HasSubstr("bulletin_admission_rejected_total{grpc_method="
                        "\"Parse\",limit=\"calls\"} 1\n"));
}

TEST(AdmissionTest, RefusesBytesPastTheLimitButAlwaysAdmitsALoneCall) {
  MetricsRegistry registry;
  Admission admission("Submit and Parse", {10, 1000}, &registry);
  // Larger than the limit, but nothing else runs: admitted.
  std::optional<Admission::Ticket> big(*admission.Admit("Submit", 5000));
  absl::StatusOr<Admission::Ticket> small = admission.Admit("Submit", 1);
  ASSERT_EQ(small.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(small.status().message(), HasSubstr("in flight"));
  big.reset();
  EXPECT_EQ(admission.bytes_in_flight(), 0u);

  std::optional<Admission::Ticket> half(*admission.Admit("Submit", 600));
  EXPECT_TRUE(admission.Admit("Parse", 400).ok());
  EXPECT_EQ(admission.Admit("Parse", 401).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(registry.Render(),
              HasSubstr("\nbulletin_admission_in_flight_bytes 600\n"));
  EXPECT_THAT(registry.Render(),
              HasSubstr("{grpc_method=\"Parse\",limit=\"bytes\"} 1\n"));
}

TEST(AdmissionTest, OneCallerCannotTakeEveryPlace) {
  MetricsRegistry registry;
  Admission admission("Submit and Parse", {10, 1 << 20, 2}, &registry);
  std::optional<Admission::Ticket> first(
      *admission.Admit("Submit", 1, "bearer:aaaaaaaa"));
  std::optional<Admission::Ticket> second(
      *admission.Admit("Submit", 1, "bearer:aaaaaaaa"));
  absl::StatusOr<Admission::Ticket> third =
      admission.Admit("Submit", 1, "bearer:aaaaaaaa");
  ASSERT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(third.status().message(),
              HasSubstr("caller bearer:aaaaaaaa is at its limit of 2"));
  // Another caller still gets in, and the first again once a call ends.
  EXPECT_TRUE(admission.Admit("Submit", 1, "cert:cms.example").ok());
  first.reset();
  EXPECT_TRUE(admission.Admit("Submit", 1, "bearer:aaaaaaaa").ok());
  EXPECT_THAT(registry.Render(),
              HasSubstr("{grpc_method=\"Submit\",limit=\"caller\"} 1\n"));
}

TEST(AdmissionTest, AMovedTicketReleasesOnce) {
  Admission admission("Submit", {1, 100}, nullptr);
  {
    absl::StatusOr<Admission::Ticket> ticket = admission.Admit("Submit", 5);
    ASSERT_TRUE(ticket.ok());
    Admission::Ticket moved(*std::move(ticket));
    EXPECT_EQ(admission.calls_in_flight(), 1u);
  }
  EXPECT_EQ(admission.calls_in_flight(), 0u);
  EXPECT_EQ(admission.bytes_in_flight(), 0u);
}

}  // namespace
}  // namespace bulletin
