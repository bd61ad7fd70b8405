#include "record_keys.hpp"

namespace cpamd::usage::detail
{
namespace
{

constexpr std::array<std::string_view, record_key_count> key_names = {
#define CPAMD_USAGE_KEY_NAME(name) #name,
    CPAMD_USAGE_RECORD_KEYS(CPAMD_USAGE_KEY_NAME)
#undef CPAMD_USAGE_KEY_NAME
};

// Open addressing over a cheap hash of the length and three bytes: the names differ there
// often enough for short probe chains, and a record's unknown keys mostly miss at once.
constexpr std::size_t slot_count = 1024; // a power of two, > 4 x the names
constexpr std::uint8_t empty_slot = 0xFF;

constexpr std::size_t slot_of(std::string_view s) noexcept
{
    if (s.empty())
        return 0;
    auto b = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(s[i])); };
    std::size_t h = s.size() * 0x9E3779B1u ^ b(0) * 0x85EBCA77u ^ b(s.size() / 2) * 0xC2B2AE3Du ^
                    b(s.size() - 1) * 0x27D4EB2Fu;
    return (h ^ (h >> 15)) & (slot_count - 1);
}

constexpr std::array<std::uint8_t, slot_count> build_slots()
{
    std::array<std::uint8_t, slot_count> slots{};
    for (auto& s : slots)
        s = empty_slot;
    for (std::size_t id = 0; id < key_names.size(); ++id)
    {
        std::size_t i = slot_of(key_names[id]);
        while (slots[i] != empty_slot)
            i = (i + 1) & (slot_count - 1);
        slots[i] = static_cast<std::uint8_t>(id);
    }
    return slots;
}

constexpr std::array<std::uint8_t, slot_count> slots = build_slots();

constexpr std::optional<rk> lookup(std::string_view name) noexcept
{
    for (std::size_t i = slot_of(name);; i = (i + 1) & (slot_count - 1))
    {
        std::uint8_t id = slots[i];
        if (id == empty_slot)
            return std::nullopt;
        if (key_names[id] == name)
            return static_cast<rk>(id);
    }
}

constexpr bool every_name_found()
{
    for (std::size_t id = 0; id < key_names.size(); ++id)
        if (lookup(key_names[id]) != static_cast<rk>(id))
            return false;
    return !lookup("unknown_key") && !lookup("");
}
static_assert(every_name_found(), "each name must map back to its own key");

} // namespace

std::optional<rk> record_key_of(std::string_view name) noexcept
{
    return lookup(name);
}

} // namespace cpamd::usage::detail
