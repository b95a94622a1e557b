// braincam report: RUN/report.html, one self-contained page about a run (tools/report.h).
#include <cstdio>
#include <memory>

#include "tools/commands.h"
#include "tools/report.h"

namespace braincam::tools {

void add_report_command(CLI::App& app) {
  auto in = std::make_shared<ReportInputs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write RUN/report.html: data, training, evaluation, explanations");
  cmd->add_option("--run", in->run, "the training run folder")->required();
  cmd->add_option("--cache", in->cache, "the prepared dataset cache (for eda.json)");
  cmd->add_option("--eval", in->eval, "metrics JSON of braincam evaluate (default RUN/eval.json)");
  cmd->add_option("--cam", in->cam, "output folder of braincam cam (default RUN/cam)");
  cmd->add_option("--compare", in->compare,
                  "JSON of the attention ablation (default RUN/compare.json)");
  cmd->add_option("--crossval", in->crossval,
                  "JSON of braincam crossval (default RUN/crossval.json, when there is one)");
  cmd->add_option("--audit", in->audit,
                  "audit.json of braincam audit (default RUN/audit.json, when there is one)");
  cmd->add_option("--sanity", in->sanity,
                  "sanity.json of braincam sanity (default RUN/sanity.json, when there is one)");
  cmd->add_option("--note", in->note, "a note on the settings, shown at the top");
  cmd->callback([in] {
    ReportInputs inputs = *in;
    if (inputs.eval.empty()) inputs.eval = inputs.run / "eval.json";
    if (inputs.cam.empty()) inputs.cam = inputs.run / "cam";
    if (inputs.compare.empty()) inputs.compare = inputs.run / "compare.json";
    if (inputs.crossval.empty() && std::filesystem::exists(inputs.run / "crossval.json"))
      inputs.crossval = inputs.run / "crossval.json";
    if (inputs.audit.empty() && std::filesystem::exists(inputs.run / "audit.json"))
      inputs.audit = inputs.run / "audit.json";
    if (inputs.sanity.empty() && std::filesystem::exists(inputs.run / "sanity.json"))
      inputs.sanity = inputs.run / "sanity.json";
    std::printf("wrote %s\n", write_report(inputs).c_str());
  });
}

}  // namespace braincam::tools
