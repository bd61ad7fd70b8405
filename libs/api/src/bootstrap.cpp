#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/api/bootstrap.hpp>
#include <cpamd/api/manager_config.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/security/admin_key.hpp>
#include <cpamd/security/data_key.hpp>
#include <cpamd/security/secret_box.hpp>
#include <cpamd/security/text.hpp>
#include <cpamd/store/settings.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;

struct credential_step
{
    security::admin_credential credential;
    std::optional<security::secret_string> generated; // printed once after the commit
    bool created = false;
};

// Runs on the writer thread.
credential_step ensure_credential(store::connection& c, const config& cfg, std::int64_t now_ms)
{
    if (auto stored = store::read_setting(c, security::admin_credential_setting_key))
    {
        auto parsed = security::parse_admin_credential(*stored);
        if (!parsed)
            throw std::runtime_error(
                parsed.error().message + " (run `cpamd reset-admin-key` to replace the stored credential)"
            );
        return {std::move(*parsed), std::nullopt};
    }
    credential_step out;
    out.created = true;
    security::secret_string key;
    auto source = security::credential_source::env;
    if (!security::trim_space(cfg.admin_key).empty())
        key = security::secret_string(std::string_view(cfg.admin_key));
    else
    {
        key = security::generate_admin_key();
        source = security::credential_source::generated;
        out.generated = key;
    }
    out.credential = security::create_admin_credential(key.view(), source, now_ms).value();
    store::write_setting(
        c,
        security::admin_credential_setting_key,
        security::serialize_admin_credential(out.credential),
        now_ms
    );
    return out;
}

// Whether `rows` (a table, optionally narrowed by a WHERE clause; constants only) has any row.
bool any_rows(store::connection& c, std::string_view rows)
{
    return c.query_int(fmt::format("SELECT EXISTS (SELECT 1 FROM {})", rows)).value_or(0) != 0;
}

// Re-encrypts a legacy plaintext managementKey inside a stored JSON row; true if it changed.
bool encrypt_key_field(std::string& text, const security::secret_box& box, bool nested)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return false;
    json::object* holder = &v.as_object();
    if (nested)
    {
        auto it = holder->find("cpaConnection");
        if (it == holder->end() || !it->value().is_object())
            return false;
        holder = &it->value().as_object();
    }
    auto it = holder->find("managementKey");
    if (it == holder->end() || !it->value().is_string())
        return false;
    std::string_view current = it->value().as_string();
    if (security::trim_space(current).empty() || security::is_encrypted(current))
        return false;
    it->value() = box.encrypt_if_needed(current);
    text = json::serialize(v);
    return true;
}

struct settings_step
{
    bootstrap_state state;
    std::optional<cpa_connection> connection;
};

settings_step
finish_settings(store::connection& c, const config& cfg, const security::secret_box& box, std::int64_t now_ms)
{
    store::transaction tx(c);
    auto previous = store::read_setting(c, bootstrap_state_key);
    bootstrap_state prev =
        previous ? parse_bootstrap_state(*previous).value_or(bootstrap_state{}) : bootstrap_state{};

    auto stored_config = store::read_setting(c, manager_config_key);
    auto stored_setup = store::read_setting(c, setup_key);
    // Prices seeded from the bundled catalog (price_catalog_seed.hpp) are not the user's history.
    bool historical = any_rows(c, "events") || any_rows(c, "rejects") ||
                      any_rows(c, "model_prices WHERE source IS NOT 'bundled'") ||
                      any_rows(c, "api_key_aliases") || stored_config.has_value() || stored_setup.has_value();

    // Legacy plaintext keys are re-saved encrypted (idempotent: encrypted values are left alone).
    bool resaved = false;
    if (stored_config && encrypt_key_field(*stored_config, box, true))
    {
        store::write_setting(c, manager_config_key, *stored_config, now_ms);
        resaved = true;
    }
    if (stored_setup && encrypt_key_field(*stored_setup, box, false))
    {
        store::write_setting(c, setup_key, *stored_setup, now_ms);
        resaved = true;
    }
    if (resaved)
        log::info("bootstrap: re-saved a plaintext CPA management key encrypted (enc:v1)");

    // A key we cannot decrypt still counts as configured here; requests that need it report the error.
    auto resolved = resolve_manager_config(cfg, stored_config, stored_setup, box, true);
    std::optional<cpa_connection> connection;
    bool initialized = false;
    if (resolved.ok)
    {
        const auto& v = resolved.ok->value;
        initialized = !v.cpa_base_url.empty() && (!v.management_key.empty() || resolved.ok->undecryptable);
        if (initialized)
            connection = cpa_connection{v.cpa_base_url, v.management_key, v.collector.tls_skip_verify};
        if (resolved.ok->undecryptable)
            log::warn("bootstrap: the stored CPA management key cannot be decrypted with this data key; "
                      "enter it again with /setup or the config page");
    }

    bootstrap_state s;
    s.admin_ready = true;
    s.data_key_ready = true;
    s.project_initialized = initialized;
    s.has_historical_data = historical;
    s.migrated_legacy = prev.migrated_legacy || stored_config.has_value() || stored_setup.has_value();
    s.status = bootstrap_status(initialized, historical);
    s.updated_at_ms = now_ms;
    store::write_setting(c, bootstrap_state_key, serialize_bootstrap_state(s), now_ms);
    tx.commit();
    return {s, connection};
}

} // namespace

std::optional<bootstrap_outcome>
run_bootstrap(const config& cfg, store::store& db, std::int64_t now_ms, std::string& why)
{
    try
    {
        auto cred = db.write_sync([&](store::connection& c) { return ensure_credential(c, cfg, now_ms); });
        if (cred.generated)
            // The one place a secret is logged, as the upstream does: the operator needs it once.
            log::info("CPA Manager Plus admin key generated: {}", cred.generated->view());
        else if (cred.created)
            log::info("admin credential created from CPA_MANAGER_ADMIN_KEY");

        security::data_key_inputs inputs;
        inputs.env_value = security::secret_string(std::string_view(cfg.data_key));
        inputs.data_key_path = cfg.data_key_path;
        auto key = security::load_or_create_data_key(inputs);
        if (!key)
        {
            why = "data key: " + key.error().message;
            return std::nullopt;
        }
        if (!key->warning.empty())
            log::warn("{}", key->warning);
        if (key->created)
            log::info("data key created at {}", key->path.string());
        auto box = std::make_shared<const security::secret_box>(key->key.bytes());

        auto settings =
            db.write_sync([&](store::connection& c) { return finish_settings(c, cfg, *box, now_ms); });
        bootstrap_outcome out;
        out.credential = std::move(cred.credential);
        out.state = std::make_shared<manager_state>(settings.state, settings.connection, box);
        return out;
    }
    catch (const std::exception& e)
    {
        why = e.what();
        return std::nullopt;
    }
}

} // namespace cpamd::api
