#include <cpamd/pricing/model_family.hpp>

namespace cpamd::pricing
{
namespace
{

char lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

bool in_family(std::string_view model_id, std::string_view family) noexcept
{
    if (auto slash = model_id.rfind('/'); slash != std::string_view::npos)
        model_id.remove_prefix(slash + 1);
    if (model_id.size() < family.size() || !iequals(model_id.substr(0, family.size()), family))
        return false;
    return model_id.size() == family.size() || !is_digit(model_id[family.size()]);
}

} // namespace cpamd::pricing
