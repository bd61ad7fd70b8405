#include <algorithm>
#include <cpamd/collector/plugin_loader.hpp>
#include <cpamd/core/log.hpp>
#include <dlfcn.h>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <unistd.h>

namespace cpamd::collector
{
namespace
{

namespace capi = collector_api;

std::filesystem::path executable_dir()
{
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : exe.parent_path();
}

struct load_cache
{
    std::mutex mutex;
    // canonical file -> its descriptor (null: refused or broken; not retried)
    std::map<std::filesystem::path, const capi::collector_descriptor*> files;
};

load_cache& cache()
{
    static load_cache c;
    return c;
}

const capi::collector_descriptor* open_plugin(const std::filesystem::path& file)
{
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
    {
        const char* err = ::dlerror();
        log::error("collector plugin refused: {}: dlopen failed: {}", file.string(), err ? err : "unknown");
        return nullptr;
    }
    // Never dlclose: objects, statics and awaitables of the plugin may outlive any unload point.
    auto entry = reinterpret_cast<capi::entry_point_fn>(::dlsym(handle, capi::entry_point_name));
    if (!entry)
    {
        log::error(
            "collector plugin refused: {}: no {} symbol (not a cpamd collector plugin)",
            file.string(),
            capi::entry_point_name
        );
        return nullptr;
    }
    const auto* d = entry();
    if (!d)
    {
        log::error("collector plugin refused: {}: its entry point returned no descriptor", file.string());
        return nullptr;
    }
    if (auto why = descriptor_mismatch(*d); !why.empty())
    {
        log::error("collector plugin refused: {}: {}", file.string(), why);
        return nullptr;
    }
    return d;
}

} // namespace

std::string descriptor_mismatch(const capi::collector_descriptor& d)
{
    // abi_version first: with another ABI even the struct layout below may differ.
    if (d.abi_version != capi::collector_abi_version)
        return fmt::format("abi_version is {}, cpamd needs {}", d.abi_version, capi::collector_abi_version);
    if (d.struct_size != sizeof(capi::collector_descriptor))
        return fmt::format(
            "struct_size is {}, cpamd needs {}", d.struct_size, sizeof(capi::collector_descriptor)
        );
    if (d.boost_version != BOOST_VERSION)
        return fmt::format("boost_version is {}, cpamd needs {}", d.boost_version, BOOST_VERSION);
    if (d.compiler != capi::this_compiler())
        return fmt::format("compiler is {}, cpamd needs {}", d.compiler, capi::this_compiler());
    if (!d.name || !*d.name)
        return "name is empty";
    if (!d.create || !d.destroy)
        return "create or destroy is null";
    return {};
}

std::filesystem::path plugin_directory(const std::filesystem::path& configured)
{
    // The configuration already defaults to the directory beside the binary; a directory that
    // does not exist falls through to the next place.
    std::error_code ec;
    if (!configured.empty() && std::filesystem::is_directory(configured, ec))
        return configured;
    if (auto exe = executable_dir(); !exe.empty())
    {
        auto beside = (exe / ".." / "lib" / "cpamd" / "plugins").lexically_normal();
        if (std::filesystem::is_directory(beside, ec))
            return beside;
    }
    std::filesystem::path system("/usr/lib/cpamd/plugins");
    if (std::filesystem::is_directory(system, ec))
        return system;
    return {};
}

std::vector<loaded_plugin> load_plugins(const std::filesystem::path& dir)
{
    std::vector<loaded_plugin> out;
    if (dir.empty())
    {
        log::error("no collector plugin directory found (set USAGE_PLUGIN_DIR)");
        return out;
    }
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".so")
            files.push_back(it->path());
    if (ec)
    {
        log::error("cannot read the collector plugin directory {}: {}", dir.string(), ec.message());
        return out;
    }
    std::sort(files.begin(), files.end());

    auto& c = cache();
    std::lock_guard lock(c.mutex);
    for (const auto& f : files)
    {
        auto canonical = std::filesystem::weakly_canonical(f, ec);
        if (ec)
            canonical = f;
        auto [it, fresh] = c.files.try_emplace(canonical, nullptr);
        if (fresh)
        {
            it->second = open_plugin(canonical);
            if (it->second)
                log::info("collector plugin loaded: {} ({})", it->second->name, canonical.string());
        }
        if (!it->second)
            continue;
        std::string name = it->second->name;
        if (std::any_of(out.begin(), out.end(), [&](const loaded_plugin& p) { return p.name == name; }))
        {
            if (fresh)
                log::warn(
                    "collector plugin {} ignored: transport {} is already provided", canonical.string(), name
                );
            continue;
        }
        out.push_back({name, canonical, it->second});
    }
    return out;
}

} // namespace cpamd::collector
