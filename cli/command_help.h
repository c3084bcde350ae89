// bulletinctl's help: the commands, what each does, and the flags each one
// reads (described from the flags' own help strings, so the two never
// disagree).
//
//   std::cout << bulletin::OverviewHelp();        // bulletinctl --help
//   if (const bulletin::CommandHelp* help = bulletin::FindCommand("submit"))
//     std::cout << bulletin::CommandHelpText(*help);  // bulletinctl help
//     submit
//
// Thread-safe after main starts: reads constant tables and the flag registry.

#ifndef BULLETIN_CLI_COMMAND_HELP_H_
#define BULLETIN_CLI_COMMAND_HELP_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bulletin {

struct CommandHelp {
  const char* name;
  // The command line, e.g. "submit [flags] FILE...".
  const char* synopsis;
  // One line, for the overview.
  const char* summary;
  // What it prints and how it behaves.
  const char* details;
  // The flags it reads besides the connection flags every call reads.
  std::vector<const char*> flags;
  // Whether it calls a service (and so reads the connection flags).
  bool calls_a_service;
};

const std::vector<CommandHelp>& Commands();

// The command named `name`, or null.
const CommandHelp* FindCommand(absl::string_view name);

// Usage, the commands, the connection flags and the exit statuses.
std::string OverviewHelp();

// One command's synopsis, details and flags.
std::string CommandHelpText(const CommandHelp& command);

}  // namespace bulletin

#endif  // BULLETIN_CLI_COMMAND_HELP_H_
