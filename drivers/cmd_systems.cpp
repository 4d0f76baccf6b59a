// `fwkit systems`: the catalog of built-in systems and their parameters.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "fwkit/model/catalog.hpp"

namespace fw::driver {

void register_systems(CLI::App& app, std::function<int()>& action) {
  auto* sub = app.add_subcommand("systems", "list the built-in systems and their parameters");
  action = [] {
    for (const auto& e : model::system_catalog()) {
      std::cout << fmt::format("{}  ({}, {})\n    {}\n", e.name,
                               e.dim > 0 ? fmt::format("d = {}", e.dim) : "any d",
                               e.gradient ? "gradient" : "non-gradient", e.summary);
      for (const auto& p : e.params) {
        std::string value;
        if (p.default_value.is_scalar()) {
          value = fmt::format("{}", p.default_value.as_scalar());
        } else {
          value = "[";
          for (int i = 0; i < p.default_value.rows; ++i) {
            value += i ? ", [" : "[";
            for (int j = 0; j < p.default_value.cols; ++j)
              value += fmt::format("{}{}", j ? ", " : "", p.default_value.data[i * p.default_value.cols + j]);
            value += "]";
          }
          value += "]";
        }
        std::cout << fmt::format("      {:<12} = {:<22} {}\n", p.name, value, p.doc);
      }
    }
    std::cout << "\nOr define a system in TOML: [model.system] kind = \"expression\" "
                 "(drift or loss) or \"finite_sum\".\n";
    return 0;
  };
  (void)sub;
}

}  // namespace fw::driver
