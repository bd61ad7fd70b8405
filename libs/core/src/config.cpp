#include "config_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cpamd/core/config.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace cpamd
{
namespace
{

using detail::apply_context;

config_error error_for(std::string variable, std::string message)
{
    return {std::move(variable), std::move(message)};
}

// JSON values are turned into the same text an environment variable would carry, so one parser
// serves both sources.
std::optional<std::string> json_as_text(const boost::json::value& v)
{
    switch (v.kind())
    {
    case boost::json::kind::string:
        return std::string(v.get_string());
    case boost::json::kind::int64:
        return std::to_string(v.get_int64());
    case boost::json::kind::uint64:
        return std::to_string(v.get_uint64());
    case boost::json::kind::double_:
        return fmt::format("{}", v.get_double());
    case boost::json::kind::bool_:
        return v.get_bool() ? "true" : "false";
    case boost::json::kind::array:
    {
        std::string out;
        for (const auto& item : v.get_array())
        {
            if (!item.is_string())
                return std::nullopt;
            out += (out.empty() ? "" : ",") + std::string(item.get_string());
        }
        return out;
    }
    case boost::json::kind::null:
        return std::nullopt;
    default:
        return std::nullopt;
    }
}

struct file_source
{
    std::filesystem::path path;
    boost::json::object values;
};

std::optional<config_error>
read_config_file(const std::filesystem::path& path, bool create_if_missing, file_source& out)
{
    out.path = path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
    {
        if (!create_if_missing)
            return error_for(
                "CPA_MANAGER_CONFIG", fmt::format("config file {} does not exist", path.string())
            );
        // Upstream creates the named file with defaults; so do we.
        std::filesystem::create_directories(path.parent_path(), ec);
        std::ofstream f(path);
        if (!f)
            return error_for(
                "CPA_MANAGER_CONFIG", fmt::format("cannot create config file {}", path.string())
            );
        f << "{\n  \"httpAddr\": \"0.0.0.0:18317\",\n  \"dataDir\": \"./data\"\n}\n";
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return error_for("CPA_MANAGER_CONFIG", fmt::format("cannot read config file {}", path.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    boost::system::error_code jec;
    auto v = boost::json::parse(ss.str(), jec);
    if (jec)
        return error_for(path.string(), fmt::format("invalid JSON: {}", jec.message()));
    if (!v.is_object())
        return error_for(path.string(), "expected a JSON object");
    out.values = std::move(v.get_object());
    return std::nullopt;
}

bool is_secret_file_field(std::string_view env)
{
    return env == "CPA_MANAGEMENT_KEY_FILE" || env == "CPA_MANAGER_ADMIN_KEY_FILE" ||
           env == "CPA_MANAGER_DATA_KEY_FILE";
}

} // namespace

std::string_view to_string(collector_mode m)
{
    switch (m)
    {
    case collector_mode::automatic:
        return "auto";
    case collector_mode::subscribe:
        return "subscribe";
    case collector_mode::http:
        return "http";
    case collector_mode::resp:
        return "resp";
    }
    return "auto";
}

std::string_view to_string(pop_side s)
{
    return s == pop_side::left ? "left" : "right";
}

config_result load_config(const config_inputs& in)
{
    auto env = [&](const std::string& name) -> std::optional<std::string>
    {
        auto v = in.getenv(name);
        if (v && !v->empty())
            return v;
        return std::nullopt;
    };

    // 1. Which config.json, if any: --config, else CPA_MANAGER_CONFIG (created when missing, as
    // upstream), else one beside the executable. Unlike upstream we never create a file beside the
    // binary: /usr/bin is no place for it.
    std::optional<std::filesystem::path> file_path;
    bool create_if_missing = false;
    if (in.config_override)
        file_path = std::filesystem::absolute(*in.config_override);
    else if (auto named = env("CPA_MANAGER_CONFIG"))
    {
        file_path = (in.working_dir / *named).lexically_normal();
        create_if_missing = true;
    }
    else if (auto beside = in.executable_dir / "config.json"; std::filesystem::exists(beside))
        file_path = beside;
    std::optional<file_source> file;
    if (file_path)
    {
        file_source fs;
        if (auto err = read_config_file(*file_path, create_if_missing, fs))
            return {std::nullopt, err};
        file = std::move(fs);
    }

    loaded_config out;
    config& c = out.value;
    if (file)
        c.config_file = file->path;
    const std::filesystem::path file_dir = file ? file->path.parent_path() : in.working_dir;

    // 2. Every setting: env (non-empty) > config.json > default.
    for (const auto& field : detail::config_fields())
    {
        std::optional<std::string> raw;
        config_origin origin = config_origin::fallback;
        apply_context ctx;
        ctx.warnings = &out.warnings;
        if (auto v = env(std::string(field.doc.env)))
        {
            raw = v;
            origin = config_origin::env;
            ctx.base_dir = in.working_dir;
            ctx.variable = std::string(field.doc.env);
        }
        else if (file && !field.doc.json.empty())
        {
            if (const auto* jv = file->values.if_contains(field.doc.json))
            {
                raw = json_as_text(*jv);
                if (!raw && !jv->is_null())
                    return {
                        std::nullopt,
                        error_for(
                            fmt::format("config.json field {}", field.doc.json), "unsupported value type"
                        )};
                if (raw)
                {
                    origin = config_origin::file;
                    ctx.base_dir = file_dir;
                    ctx.variable = fmt::format("config.json field {}", field.doc.json);
                }
            }
        }
        if (!raw && is_secret_file_field(field.doc.env))
        {
            raw = std::string(field.doc.fallback);
            ctx.base_dir = in.working_dir;
            ctx.variable = std::string(field.doc.env);
        }
        // dbPath in the file is ignored when USAGE_DATA_DIR comes from the environment (upstream).
        if (field.doc.env == "USAGE_DB_PATH" && origin == config_origin::file && env("USAGE_DATA_DIR"))
        {
            raw.reset();
            origin = config_origin::fallback;
        }
        if (raw)
        {
            if (auto err = field.apply(c, *raw, ctx))
                return {std::nullopt, error_for(ctx.variable, *err)};
        }
        out.effective.push_back({std::string(field.doc.env), std::string(field.doc.json), {}, origin});
    }

    if (file)
        if (const auto* alerts = file->values.if_contains("alerts"); alerts && !alerts->is_null())
        {
            if (!alerts->is_object())
                return {std::nullopt, error_for("config.json field alerts", "must be an object")};
            c.alerts_json = boost::json::serialize(*alerts);
        }

    // 3. Defaults that depend on other settings.
    if (c.data_dir.empty())
        c.data_dir = (file_dir / "data").lexically_normal();
    if (c.db_path.empty())
        c.db_path = c.data_dir / "usage.sqlite";
    if (c.data_key_path.empty())
        c.data_key_path = c.data_dir / "data.key";
    if (c.plugin_dir.empty())
        c.plugin_dir = (in.executable_dir / ".." / "lib" / "cpamd" / "plugins").lexically_normal();
    if (!c.cpa_upstream_url.empty() != !c.cpa_management_key.empty())
        out.warnings.push_back(
            "CPA_UPSTREAM_URL and CPA_MANAGEMENT_KEY work only together; the connection is not env-managed"
        );

    auto fields = detail::config_fields();
    for (std::size_t i = 0; i < fields.size(); ++i)
        out.effective[i].value = fields[i].show(c);
    return {std::move(out), std::nullopt};
}

config_inputs process_config_inputs(std::optional<std::filesystem::path> config_override)
{
    config_inputs in;
    in.getenv = [](const std::string& name) -> std::optional<std::string>
    {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr)
            return std::nullopt;
        return std::string(v);
    };
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    in.executable_dir = ec ? std::filesystem::current_path() : exe.parent_path();
    in.working_dir = std::filesystem::current_path();
    in.config_override = std::move(config_override);
    return in;
}

std::span<const config_field_doc> config_field_docs()
{
    static const std::vector<config_field_doc> docs = []
    {
        std::vector<config_field_doc> v;
        for (const auto& f : detail::config_fields())
            v.push_back(f.doc);
        return v;
    }();
    return docs;
}

} // namespace cpamd
