#include "common/time/iso_date.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace bulletin {

bool IsCalendarDate(int year, int month, int day) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool IsIsoDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  int digits[10] = {};
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (date[i] < '0' || date[i] > '9') return false;
    digits[i] = date[i] - '0';
  }
  return IsCalendarDate(
      digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3],
      digits[5] * 10 + digits[6], digits[8] * 10 + digits[9]);
}

absl::Status CheckIsoDate(std::string_view what, std::string_view date) {
  if (date.empty() || IsIsoDate(date)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(what), " \"", std::string(date),
                   "\" is not a calendar date in the form YYYY-MM-DD"));
}

}  // namespace bulletin
