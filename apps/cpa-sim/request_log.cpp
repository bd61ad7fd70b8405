#include "request_log.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace cpamd::sim
{

void request_log::add(logged_request r)
{
    r.id = next_id_++;
    entries_.push_back(std::move(r));
    while (entries_.size() > capacity_)
        entries_.pop_front();
}

boost::json::value request_log::to_json(std::size_t n) const
{
    boost::json::array out;
    std::size_t start = entries_.size() > n ? entries_.size() - n : 0;
    for (std::size_t i = start; i < entries_.size(); ++i)
    {
        const auto& e = entries_[i];
        boost::json::array headers;
        boost::json::object by_name; // lower-case name -> [values]
        for (const auto& [k, v] : e.headers)
        {
            headers.push_back(boost::json::array{boost::json::string(k), boost::json::string(v)});
            std::string lower = k;
            for (auto& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto& slot = by_name[lower];
            if (!slot.is_array())
                slot = boost::json::array{};
            slot.as_array().push_back(boost::json::string(v));
        }
        out.push_back(boost::json::object{
            {"id", e.id},
            {"time", e.time},
            {"peer", e.peer},
            {"protocol", e.protocol},
            {"method", e.method},
            {"target", e.target},
            {"headers", std::move(headers)},
            {"header_map", std::move(by_name)},
            {"body_bytes", e.body_bytes},
        });
    }
    return out;
}

} // namespace cpamd::sim
