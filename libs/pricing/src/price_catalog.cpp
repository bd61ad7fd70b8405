#include <boost/json/parse.hpp>
#include <cpamd/pricing/price_catalog.hpp>

namespace cpamd::pricing
{

namespace detail
{
// price_catalog_data.cpp, generated from catalog/price-catalog.json by catalog/embed.cmake.
extern const unsigned char price_catalog_bytes[];
extern const std::size_t price_catalog_size;
} // namespace detail

namespace
{

std::string text_field(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

} // namespace

std::string_view bundled_catalog_text()
{
    return {reinterpret_cast<const char*>(detail::price_catalog_bytes), detail::price_catalog_size};
}

const source_catalog& bundled_catalog()
{
    // The file is checked by the build's tests; a broken one would give an empty catalog here.
    static const source_catalog catalog =
        parse_models_dev(bundled_catalog_text()).catalog.value_or(source_catalog{});
    return catalog;
}

const catalog_info& bundled_catalog_info()
{
    static const catalog_info info = []
    {
        catalog_info i;
        boost::system::error_code ec;
        auto doc = boost::json::parse(bundled_catalog_text(), ec);
        if (!ec && doc.is_object())
        {
            i.source = text_field(doc.as_object(), "source");
            i.date = text_field(doc.as_object(), "date");
            i.license = text_field(doc.as_object(), "license");
        }
        i.models = bundled_catalog().models.size();
        return i;
    }();
    return info;
}

} // namespace cpamd::pricing
