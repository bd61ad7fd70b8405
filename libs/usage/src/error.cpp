#include <cpamd/usage/error.hpp>
#include <string>

namespace cpamd::usage
{

namespace
{

class category final : public boost::system::error_category
{
public:
    const char* name() const noexcept override { return "usage"; }

    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev))
        {
        case errc::not_an_object:
            return "record is not a JSON object";
        case errc::control_payload:
            return "control payload, not a usage record";
        case errc::no_usage_fields:
            return "object has no usage record fields";
        case errc::nested_string:
            return "JSON string wraps another JSON string";
        case errc::line_too_long:
            return "line exceeds the 10 MiB line limit";
        case errc::empty_payload:
            return "empty usage import payload";
        case errc::multiple_values:
            return "usage import payload contains multiple JSON values";
        case errc::no_request_details:
            return "legacy usage export does not contain request details";
        case errc::detail_not_object:
            return "legacy usage detail is not an object";
        case errc::detail_no_timestamp:
            return "legacy usage detail has no timestamp";
        case errc::endpoint_not_object:
            return "legacy usage endpoint is not an object with models";
        case errc::model_not_object:
            return "legacy usage model is not an object";
        case errc::not_an_array:
            return "usage import payload is not a JSON array";
        case errc::item_too_long:
            return "array item exceeds the 10 MiB item limit";
        case errc::missing_timestamp:
            return "record has no timestamp";
        case errc::invalid_timestamp:
            return "timestamp is not a valid time";
        case errc::timestamp_out_of_range:
            return "timestamp is outside 1970-01-01T00:00:00Z..2261-12-31T23:59:59.999999999Z";
        case errc::created_at_out_of_range:
            return "created_at_ms is outside 1970-01-01T00:00:00Z..2261-12-31T23:59:59.999Z";
        case errc::token_count_out_of_range:
            return "token counter is outside -1000000000..1000000000";
        case errc::latency_out_of_range:
            return "latency is outside -1000000000..1000000000 ms";
        }
        return "unknown usage error";
    }
};

} // namespace

const boost::system::error_category& usage_category() noexcept
{
    static const category instance;
    return instance;
}

std::string describe(const boost::system::error_code& ec)
{
    std::string s = ec.category().name();
    s += ": ";
    s += ec.message();
    return s;
}

} // namespace cpamd::usage
