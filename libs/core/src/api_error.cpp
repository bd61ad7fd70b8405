#include <boost/json/object.hpp>
#include <cpamd/core/api_error.hpp>
#include <cpamd/core/go_json.hpp>

namespace cpamd
{

std::string api_error::body() const
{
    boost::json::object o;
    o["error"] = message;
    o["code"] = code;
    return go_json::encode(o);
}

} // namespace cpamd
