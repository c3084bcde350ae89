#include "cli/command_help.h"

#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"

namespace bulletin {
namespace {

const std::vector<const char*>& ConnectionFlags() {
  static const auto* const flags = new std::vector<const char*>{
      "ingest_addr",    "query_addr",      "timeout",
      "wait_for_ready", "tls_ca_file",     "tls_cert_file",
      "tls_key_file",   "auth_token_file", "query_auth_token_file"};
  return *flags;
}

const std::vector<const char*>& SearchFilterFlags() {
  static const auto* const flags = new std::vector<const char*>{
      "region",   "org",    "kind",     "person", "title",
      "reporter", "series", "province", "from",   "to"};
  return *flags;
}

std::vector<const char*> Join(std::vector<const char*> a,
                              const std::vector<const char*>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// "  --name=DEFAULT  help", wrapped under the name when long.
std::string DescribeFlag(const char* name) {
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  if (flag == nullptr) return absl::StrCat("  --", name, "\n");
  std::string line = absl::StrCat("  --", name);
  const std::string default_value = flag->DefaultValue();
  if (!default_value.empty()) absl::StrAppend(&line, "=", default_value);
  return absl::StrCat(line, "\n      ", flag->Help(), "\n");
}

}  // namespace

const std::vector<CommandHelp>& Commands() {
  static const auto* const commands = new std::vector<CommandHelp>{
      {"parse",
       "parse [--json] FILE|-",
       "parse a bulletin locally, with the code ingest uses",
       "Prints the parsed record (as text, or with --json as proto3 JSON).\n"
       "Calls no service.",
       {"json", "date", "content_type"},
       false},
      {"submit",
       "submit [--json] [flags] FILE...",
       "submit bulletins to ingest",
       "Prints one line per FILE: ID SEQ FILE; with --json one object per\n"
       "line (proto3 JSON of SubmitResponse, with \"file\"). Each FILE is one\n"
       "change with its own request id, retried with it on UNAVAILABLE,\n"
       "ABORTED or DEADLINE_EXCEEDED, so a retry is never applied twice.\n"
       "A FILE that fails is reported and the others go on; the exit status\n"
       "is that of the last failure.",
       {"json", "external_id", "source", "date", "content_type", "request_id",
        "expected_version", "retries"},
       true},
      {"search", "search [filters] [--json] [QUERY]",
       "search the query replica",
       "QUERY: terms are ANDed, \"a phrase\" keeps spaces, -term excludes.\n"
       "Prints the hits (with --json the SearchResponse).",
       Join(SearchFilterFlags(),
            {"facets", "facet_size", "order", "limit", "page_token",
             "exact_total", "highlight_pre_tag", "highlight_post_tag",
             "escape_snippet_html", "matches", "min_seq", "json"}),
       true},
      {"get",
       "get [--json] ID | get [--json] --external_id=X [--source=S]",
       "print one bulletin",
       "Names the bulletin by its id, or by the external id its source\n"
       "submitted it with.",
       {"json", "min_seq", "external_id", "source"},
       true},
      {"retract",
       "retract [flags] ID | retract [flags] --external_id=X",
       "remove a bulletin from every replica",
       "Prints ID SEQ (with --json the RetractResponse). Retried with its\n"
       "request id like submit.",
       {"reason", "external_id", "source", "request_id", "expected_version",
        "retries", "json"},
       true},
      {"stats",
       "stats [--json]",
       "print the query replica's statistics",
       "",
       {"json"},
       true},
      {"watch",
       "watch [filters] [--after_seq=SEQ [--after_log=LOG_ID:EPOCH]] "
       "[--bookmarks] [--json] [--count=N] [QUERY]",
       "print changes to a query's matches as they are applied",
       "Says \"watching\" on stderr once registered: nothing applied after\n"
       "that is missed. One line per event: UPSERT SEQ ID HEADLINE (and the\n"
       "snippet), RETRACT SEQ ID, BOOKMARK SEQ; with --json each WatchEvent.\n"
       "To resume, pass the SEQ of the last event as --after_seq, and its\n"
       "log_id and log_epoch (--json shows them) as --after_log.",
       Join(SearchFilterFlags(),
            {"after_log", "after_seq", "bookmarks", "count", "json"}),
       true},
      {"help", "help [COMMAND]", "this help, or one command's", "", {}, false},
  };
  return *commands;
}

const CommandHelp* FindCommand(absl::string_view name) {
  for (const CommandHelp& command : Commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

std::string OverviewHelp() {
  std::string text =
      "bulletinctl: the command-line client of the Bulletin ingest and "
      "query services.\n\nUsage: bulletinctl [flags] COMMAND [args]\n\n"
      "Commands:\n";
  for (const CommandHelp& command : Commands()) {
    std::string name = command.name;
    name.resize(10, ' ');
    absl::StrAppend(&text, "  ", name, command.summary, "\n");
  }
  absl::StrAppend(&text,
                  "\n`bulletinctl help COMMAND` describes a command and its "
                  "flags.\n\nConnection flags (every command that calls a "
                  "service):\n");
  for (const char* flag : ConnectionFlags()) {
    absl::StrAppend(&text, DescribeFlag(flag));
  }
  absl::StrAppend(&text, "  --version\n      print the version and exit\n\n",
                  kExitCodesHelp);
  return text;
}

std::string CommandHelpText(const CommandHelp& command) {
  std::string text = absl::StrCat("Usage: bulletinctl ", command.synopsis,
                                  "\n\n", command.summary, ".\n");
  if (*command.details != '\0') absl::StrAppend(&text, command.details, "\n");
  if (!command.flags.empty()) absl::StrAppend(&text, "\nFlags:\n");
  for (const char* flag : command.flags) {
    absl::StrAppend(&text, DescribeFlag(flag));
  }
  if (command.calls_a_service) {
    absl::StrAppend(&text,
                    "\nAnd the connection flags (bulletinctl --help).\n");
  }
  absl::StrAppend(&text, "\n", kExitCodesHelp);
  return text;
}

}  // namespace bulletin
