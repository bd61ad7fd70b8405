#include <algorithm>
#include <cctype>
#include <cmath>
#include <cpamd/pricing/model_matching.hpp>
#include <cstdint>

namespace cpamd::pricing
{
namespace
{

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool all_digits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "...-20250929" or "...-2025-09-29" (also with '_', '@' or '.'): the release date, removed so
// a dated snapshot matches its alias.
std::string_view strip_date(std::string_view s)
{
    auto is_sep = [](char c) { return c == '-' || c == '_' || c == '@' || c == '.'; };
    if (s.size() > 9 && is_sep(s[s.size() - 9]) && all_digits(s.substr(s.size() - 8)) &&
        s.substr(s.size() - 8, 2) == "20")
        return s.substr(0, s.size() - 9);
    if (s.size() > 11 && is_sep(s[s.size() - 11]) && all_digits(s.substr(s.size() - 10, 4)) &&
        s[s.size() - 6] == '-' && all_digits(s.substr(s.size() - 5, 2)) && s[s.size() - 3] == '-' &&
        all_digits(s.substr(s.size() - 2)))
        return s.substr(0, s.size() - 11);
    return s;
}

bool same_rate(const rate& a, const rate& b)
{
    return a.configured == b.configured && a.per_million == b.per_million;
}

bool same_rates(const rate_set& a, const rate_set& b)
{
    return same_rate(a.prompt, b.prompt) && same_rate(a.completion, b.completion) &&
           same_rate(a.cache, b.cache) && same_rate(a.cache_read, b.cache_read) &&
           same_rate(a.cache_creation, b.cache_creation);
}

double round2(double v)
{
    return std::round(v * 100) / 100;
}

constexpr std::string_view level_exact = "exact";
constexpr std::string_view level_case = "case-insensitive";
constexpr std::string_view level_alias = "source-model-id";
constexpr std::string_view level_tail = "provider-prefix";
constexpr std::string_view level_normalized = "normalized";

// The score an ambiguous identity match is proposed with: by how strong its level is.
double level_score(std::string_view level)
{
    if (level == level_exact)
        return 1.0;
    if (level == level_case)
        return 0.98;
    if (level == level_alias)
        return 0.96;
    if (level == level_tail)
        return 0.94;
    return 0.9;
}

void add(std::unordered_map<std::string, std::vector<std::size_t>>& idx, std::string key, std::size_t i)
{
    if (key.empty())
        return;
    auto& list = idx[std::move(key)];
    if (list.empty() || list.back() != i)
        list.push_back(i);
}

using bigram_list = std::vector<std::uint16_t>;

// The character bigrams of a normalized name, sorted: Dice becomes one merge, no allocation.
bigram_list bigrams_of(std::string_view s)
{
    bigram_list out;
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
        out.push_back(static_cast<std::uint16_t>(
            (static_cast<unsigned char>(s[i]) << 8) | static_cast<unsigned char>(s[i + 1])
        ));
    std::sort(out.begin(), out.end());
    return out;
}

// name_similarity() of two names already normalized, with their bigrams.
double
similarity_of_normalized(std::string_view a, const bigram_list& ab, std::string_view b, const bigram_list& bb)
{
    if (a.empty() || b.empty())
        return 0;
    if (a == b)
        return 1;
    double dice = 0;
    if (!ab.empty() && !bb.empty())
    {
        std::size_t shared = 0;
        for (std::size_t i = 0, j = 0; i < ab.size() && j < bb.size();)
        {
            if (ab[i] == bb[j])
            {
                ++shared; // a multiset: each pair counts once
                ++i;
                ++j;
            }
            else if (ab[i] < bb[j])
                ++i;
            else
                ++j;
        }
        dice = 2.0 * static_cast<double>(shared) / static_cast<double>(ab.size() + bb.size());
    }
    const bool contains = a.find(b) != std::string_view::npos || b.find(a) != std::string_view::npos;
    return contains ? std::max(dice, 0.75) : dice;
}

} // namespace

std::string_view model_tail(std::string_view id)
{
    auto slash = id.rfind('/');
    return slash == std::string_view::npos ? id : id.substr(slash + 1);
}

std::string normalize_model_name(std::string_view id)
{
    auto tail = lower(model_tail(id));
    auto base = strip_date(tail);
    std::string out;
    for (char c : base)
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += c;
    return out;
}

double name_similarity(std::string_view a, std::string_view b)
{
    auto na = normalize_model_name(a);
    auto nb = normalize_model_name(b);
    return similarity_of_normalized(na, bigrams_of(na), nb, bigrams_of(nb));
}

bool same_price(const model_price& a, const model_price& b)
{
    if (!same_rates(a.rates, b.rates) || a.context_tiers.size() != b.context_tiers.size() ||
        a.service_tiers.size() != b.service_tiers.size())
        return false;
    for (std::size_t i = 0; i < a.context_tiers.size(); ++i)
        if (a.context_tiers[i].threshold_tokens != b.context_tiers[i].threshold_tokens ||
            !same_rates(a.context_tiers[i].rates, b.context_tiers[i].rates))
            return false;
    for (std::size_t i = 0; i < a.service_tiers.size(); ++i)
        if (a.service_tiers[i].mode != b.service_tiers[i].mode ||
            a.service_tiers[i].service_tier != b.service_tiers[i].service_tier ||
            !same_rates(a.service_tiers[i].rates, b.service_tiers[i].rates))
            return false;
    return true;
}

model_matcher::model_matcher(const source_catalog& catalog) : catalog_(catalog)
{
    normalized_names_.reserve(catalog.models.size());
    for (std::size_t i = 0; i < catalog.models.size(); ++i)
    {
        const auto& m = catalog.models[i];
        add(exact_, m.id, i);
        add(lower_, lower(m.id), i);
        add(tail_, lower(model_tail(m.id)), i);
        add(normalized_, normalize_model_name(m.id), i);
        for (const auto& a : m.aliases)
        {
            add(alias_, lower(a), i);
            add(tail_, lower(model_tail(a)), i);
            add(normalized_, normalize_model_name(a), i);
        }
        normalized_names_.push_back(normalize_model_name(m.id));
        bigrams_.push_back(bigrams_of(normalized_names_.back()));
    }
}

identity_match model_matcher::identify(std::string_view name) const
{
    const auto low = lower(name);
    const std::pair<const index*, std::string> levels[] = {
        {&exact_, std::string(name)},
        {&lower_, low},
        {&alias_, low},
        {&tail_, lower(model_tail(name))},
        {&normalized_, normalize_model_name(name)},
    };
    const std::string_view names[] = {level_exact, level_case, level_alias, level_tail, level_normalized};
    for (std::size_t l = 0; l < std::size(levels); ++l)
    {
        const auto& [idx, key] = levels[l];
        auto it = idx->find(key);
        if (key.empty() || it == idx->end())
            continue;
        const auto& found = it->second;
        identity_match r;
        r.reason = std::string(names[l]);
        const auto& models = catalog_.models;
        auto official =
            std::find_if(found.begin(), found.end(), [&](std::size_t i) { return models[i].official; });
        const bool agree = std::all_of(
            found.begin(),
            found.end(),
            [&](std::size_t i) { return same_price(models[i].price, models[found[0]].price); }
        );
        const auto officials =
            std::count_if(found.begin(), found.end(), [&](std::size_t i) { return models[i].official; });
        if (agree)
            r.unique = official != found.end() ? *official : found[0];
        else if (officials == 1)
            r.unique = *official;
        else
            r.ambiguous = found;
        return r;
    }
    return {};
}

std::vector<candidate> model_matcher::candidates(std::string_view name) const
{
    std::vector<candidate> out;
    auto id = identify(name);
    if (!id.ambiguous.empty())
    {
        for (auto i : id.ambiguous)
            out.push_back({i, level_score(id.reason), id.reason});
    }
    else
    {
        const auto wanted = normalize_model_name(name);
        const auto wanted_bigrams = bigrams_of(wanted);
        for (std::size_t i = 0; i < catalog_.models.size(); ++i)
        {
            double best = similarity_of_normalized(wanted, wanted_bigrams, normalized_names_[i], bigrams_[i]);
            for (const auto& a : catalog_.models[i].aliases)
            {
                auto na = normalize_model_name(a);
                best = std::max(best, similarity_of_normalized(wanted, wanted_bigrams, na, bigrams_of(na)));
            }
            if (best < min_score)
                continue;
            const auto& n = normalized_names_[i];
            bool contains = n.find(wanted) != std::string::npos || wanted.find(n) != std::string::npos;
            out.push_back({i, round2(best), contains ? "name-contains" : "similar-name"});
        }
    }
    const auto& models = catalog_.models;
    std::stable_sort(
        out.begin(),
        out.end(),
        [&](const candidate& a, const candidate& b)
        {
            if (a.score != b.score)
                return a.score > b.score;
            if (models[a.index].official != models[b.index].official)
                return models[a.index].official;
            return models[a.index].id < models[b.index].id;
        }
    );
    if (out.size() > max_candidates)
        out.resize(max_candidates);
    return out;
}

std::string import_name(const source_model& m)
{
    if (!m.provider.empty() && m.id.size() > m.provider.size() && m.id.starts_with(m.provider) &&
        m.id[m.provider.size()] == '/')
        return m.id.substr(m.provider.size() + 1);
    return m.id;
}

} // namespace cpamd::pricing
