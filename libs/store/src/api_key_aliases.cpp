#include <cpamd/store/api_key_aliases.hpp>

namespace cpamd::store
{

api_key_alias_map load_api_key_aliases(connection& db)
{
    api_key_alias_map out;
    auto s = db.prepare("SELECT api_key_hash, alias FROM api_key_aliases");
    while (s.step())
        out.emplace(std::string(s.text(0)), std::string(s.text(1)));
    return out;
}

} // namespace cpamd::store
