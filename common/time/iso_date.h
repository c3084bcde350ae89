// The one check of a publication date written YYYY-MM-DD, shared by the
// parser (ParseOptions.date), ingest's Submit, query's date filters and
// bulletinctl, so that every entry point accepts exactly the same dates.
//
//   if (!bulletin::IsIsoDate("2021-02-30")) ...            // false
//   absl::Status s = bulletin::CheckIsoDate("date", flag);  // INVALID_ARGUMENT
//
// Stateless; thread-safe.

#ifndef BULLETIN_COMMON_TIME_ISO_DATE_H_
#define BULLETIN_COMMON_TIME_ISO_DATE_H_

#include <string_view>

#include "absl/status/status.h"

namespace bulletin {

// True when year, month and day name a day of the proleptic Gregorian
// calendar (February 29 only in leap years); year 1..9999.
bool IsCalendarDate(int year, int month, int day);

// True when `date` is exactly ten characters YYYY-MM-DD naming a calendar
// day: "2021-11-18" yes; "2021-02-30", "2021-1-8", "18/11/2021" no.
bool IsIsoDate(std::string_view date);

// OK when `date` is empty or an ISO date; otherwise INVALID_ARGUMENT
// saying `what` ("date", "date bound") "<date>" is not a calendar date in
// the form YYYY-MM-DD.
absl::Status CheckIsoDate(std::string_view what, std::string_view date);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_TIME_ISO_DATE_H_
