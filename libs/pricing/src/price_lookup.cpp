#include <array>
#include <cpamd/pricing/price_lookup.hpp>

namespace cpamd::pricing
{
namespace
{

price_match first_in(const price_map& map, const model_names& names, price_origin origin)
{
    for (std::string_view name : std::array{names.billing, names.analytics, names.requested})
    {
        if (name.empty())
            continue;
        if (auto it = map.find(name); it != map.end())
            return {&it->second, it->first, origin};
    }
    return {};
}

} // namespace

price_match find_price(const price_table& table, const model_names& names)
{
    if (auto m = first_in(table.prices, names, price_origin::table); m.price)
        return m;
    return first_in(table.builtin, names, price_origin::builtin);
}

} // namespace cpamd::pricing
