#pragma once

// Small documents in the shape of each price source (written for these tests, after the public
// formats): models.dev catalog.json, LiteLLM's model_prices_and_context_window.json and
// OpenRouter's /api/v1/models. Shared by the unit tests and, as files, by the integration suite.

#include <string>

namespace cpamd::test::fixtures
{

// Two providers list gpt-5 (differently); the canonical "models" map names openai's as official.
// claude-sonnet-4 has a 200k context tier; gpt-5 has a fast mode.
inline const std::string models_dev_catalog = R"({
  "providers": {
    "openai": {
      "id": "openai",
      "models": {
        "gpt-5": {
          "id": "gpt-5", "name": "GPT-5",
          "cost": {"input": 1.25, "output": 10, "cache_read": 0.125},
          "experimental": {"modes": {"fast": {"cost": {"input": 2.5, "output": 20, "cache_read": 0.25}}}},
          "limit": {"context": 400000, "output": 128000}
        },
        "gpt-5-mini": {"id": "gpt-5-mini", "cost": {"input": 0.25, "output": 2, "cache_read": 0.025}},
        "gpt-image-1": {"id": "gpt-image-1", "limit": {"context": 0}}
      }
    },
    "azure": {
      "id": "azure",
      "models": {
        "gpt-5": {"id": "gpt-5", "cost": {"input": 1.375, "output": 11}},
        "gpt-4o": {"id": "gpt-4o", "cost": {"input": 2.5, "output": 10, "cache_read": 1.25}}
      }
    },
    "anthropic": {
      "id": "anthropic",
      "models": {
        "claude-sonnet-4-20250514": {
          "id": "claude-sonnet-4-20250514",
          "cost": {
            "input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75,
            "tiers": [
              {"tier": {"type": "context", "size": 200000}, "input": 6, "output": 22.5, "cache_read": 0.6, "cache_write": 7.5}
            ]
          }
        }
      }
    }
  },
  "models": {
    "openai/gpt-5": {"id": "gpt-5"},
    "openai/gpt-5-mini": {"id": "gpt-5-mini"},
    "anthropic/claude-sonnet-4-20250514": {"id": "claude-sonnet-4-20250514"}
  }
})";

// Per token. 0.000003 is the classic case: x1e6 in binary is 2.9999999999999996.
inline const std::string litellm_prices = R"({
  "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "litellm_provider": "one of the providers"},
  "gpt-4.1": {"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06, "cache_read_input_token_cost": 5e-07,
              "input_cost_per_token_priority": 3.5e-06, "output_cost_per_token_priority": 1.4e-05,
              "litellm_provider": "openai", "mode": "chat"},
  "claude-3-7-sonnet-20250219": {"input_cost_per_token": 0.000003, "output_cost_per_token": 0.000015,
              "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
              "litellm_provider": "anthropic"},
  "gemini-2.5-pro": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
              "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05,
              "cache_read_input_token_cost": 3.1e-07, "litellm_provider": "vertex_ai"},
  "azure/gpt-4.1": {"input_cost_per_token": 2.2e-06, "output_cost_per_token": 8.8e-06},
  "dall-e-3": {"output_cost_per_image": 0.04, "litellm_provider": "openai", "mode": "image_generation"},
  "broken-model": {"input_cost_per_token": -1, "output_cost_per_token": 1e-06}
})";

inline const std::string openrouter_models = R"({
  "data": [
    {"id": "openai/gpt-5", "canonical_slug": "openai/gpt-5-2025-08-07", "name": "OpenAI: GPT-5",
     "pricing": {"prompt": "0.00000125", "completion": "0.00001", "request": "0", "image": "0",
                 "web_search": "0.01", "internal_reasoning": "0", "input_cache_read": "0.000000125"}},
    {"id": "deepseek/deepseek-chat-v3.1", "pricing": {"prompt": "0.0000002", "completion": "0.0000008"}},
    {"id": "x-ai/grok-4", "pricing": {"prompt": "0.000003", "completion": "0.000015", "input_cache_read": "0.00000075"}},
    {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}},
    {"id": "no-pricing/model"}
  ]
})";

} // namespace cpamd::test::fixtures
