#include "supervisord/policy/program_role.h"

namespace policy {

std::string roleText(ProgramRole role) {
  switch (role) {
    case ProgramRole::None: return "";
    case ProgramRole::Replica: return "replica";
    case ProgramRole::Primary: return "primary";
  }
  return "";
}

}  // namespace policy
