#include <algorithm>
#include <cpamd/api/api_key_alias_rules.hpp>
#include <cpamd/security/text.hpp>
#include <map>

namespace cpamd::api
{

std::optional<std::string> normalize_api_key_hash(std::string_view raw)
{
    auto s = security::trim_space(raw);
    if (s.size() != 64)
        return std::nullopt;
    std::string out;
    out.reserve(64);
    for (char c : s)
    {
        if (c >= 'A' && c <= 'F')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return std::nullopt;
        out.push_back(c);
    }
    return out;
}

std::size_t count_runes(std::string_view s) noexcept
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();)
    {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        bool valid = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k)
            valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        i += valid ? len : 1; // a broken sequence: one rune per byte, like Go
        ++n;
    }
    return n;
}

std::optional<std::string> normalize_alias(std::string_view raw)
{
    auto s = security::trim_space(raw);
    const auto runes = count_runes(s);
    if (runes == 0 || runes > max_alias_runes)
        return std::nullopt;
    return std::string(s);
}

std::string alias_fold(std::string_view alias)
{
    std::string out(alias);
    std::transform(
        out.begin(),
        out.end(),
        out.begin(),
        [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
    );
    return out;
}

alias_plan plan_alias_put(
    const std::vector<api_key_alias>& existing,
    const std::vector<api_key_alias>& items,
    const alias_put_options& o
)
{
    // The table as it would be after each item, so a clash with an earlier item of the same
    // request counts like one with a stored row.
    std::map<std::string, std::string> alias_of;    // hash -> folded alias
    std::multimap<std::string, std::string> owners; // folded alias -> hash
    for (const auto& row : existing)
    {
        auto f = alias_fold(row.alias);
        alias_of[row.hash] = f;
        owners.emplace(f, row.hash);
    }
    auto drop_owner = [&](const std::string& fold, const std::string& hash)
    {
        auto [lo, hi] = owners.equal_range(fold);
        for (auto it = lo; it != hi; ++it)
            if (it->second == hash)
            {
                owners.erase(it);
                return;
            }
    };

    alias_plan plan;
    for (const auto& item : items)
    {
        const auto fold = alias_fold(item.alias);
        std::vector<std::string> clashing;
        auto [lo, hi] = owners.equal_range(fold);
        for (auto it = lo; it != hi; ++it)
            if (it->second != item.hash)
                clashing.push_back(it->second);
        for (const auto& owner : clashing)
        {
            const bool orphan =
                o.active_hashes && !o.active_hashes->contains(owner) && o.allow_orphan_cleanup;
            if (!orphan)
                return alias_plan{.duplicate = true};
            drop_owner(fold, owner);
            alias_of.erase(owner);
            std::erase_if(plan.upserts, [&](const api_key_alias& u) { return u.hash == owner; });
            plan.deletes.push_back(owner);
        }
        if (auto old = alias_of.find(item.hash); old != alias_of.end())
            drop_owner(old->second, item.hash);
        alias_of[item.hash] = fold;
        owners.emplace(fold, item.hash);
        std::erase_if(plan.deletes, [&](const std::string& h) { return h == item.hash; });
        plan.upserts.push_back(item);
    }
    return plan;
}

} // namespace cpamd::api
