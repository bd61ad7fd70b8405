#include <array>
#include <cpamd/usage/analytics_model.hpp>

namespace cpamd::usage
{

namespace
{

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool is_level(std::string_view x) noexcept
{
    static constexpr std::array<std::string_view, 9> levels = {
        "none", "auto", "-1", "minimal", "low", "medium", "high", "xhigh", "max"};
    for (auto l : levels)
        if (iequals(x, l))
            return true;
    if (x.empty())
        return false;
    for (char c : x)
        if (c < '0' || c > '9')
            return false;
    return true; // a non-negative integer budget
}

} // namespace

std::string_view analytics_model(std::string_view model) noexcept
{
    if (model.size() < 3 || model.back() != ')')
        return model;
    std::size_t open = model.rfind('(');
    if (open == std::string_view::npos)
        return model;
    std::string_view inner = model.substr(open + 1, model.size() - open - 2);
    if (!is_level(inner))
        return model;
    std::string_view base = model.substr(0, open);
    while (!base.empty() && (base.back() == ' ' || base.back() == '\t'))
        base.remove_suffix(1);
    return base.empty() ? model : base;
}

} // namespace cpamd::usage
