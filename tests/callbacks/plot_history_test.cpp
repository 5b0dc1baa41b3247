// Tests for plot_history: the SVG parses as XML and holds the curves, labels and best epoch.
#include "tkeras/callbacks/plot_history.h"

#include <tinyxml2.h>

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/core/error.h"

namespace {

tkeras::History scripted_history() {
  tkeras::History history;
  history.on_train_begin({});
  const std::vector<double> loss = {1.0, 0.6, 0.4, 0.3, 0.25};
  const std::vector<double> val_loss = {1.1, 0.7, 0.65, 0.7, 0.8};
  for (int epoch = 0; epoch < 5; ++epoch) {
    history.on_epoch_end(epoch, {{"accuracy", 0.5 + 0.1 * epoch},
                                 {"loss", loss[static_cast<size_t>(epoch)]},
                                 {"val_accuracy", 0.5 + 0.05 * epoch},
                                 {"val_loss", val_loss[static_cast<size_t>(epoch)]}});
  }
  return history;
}

int count_points(const char* points) {
  int count = 0;
  for (const char* c = points; *c != '\0'; ++c) count += *c == ',' ? 1 : 0;
  return count;
}

const tinyxml2::XMLElement* find(const tinyxml2::XMLElement* panel, const char* element, const char* cls) {
  for (auto* e = panel->FirstChildElement(element); e != nullptr; e = e->NextSiblingElement(element)) {
    if (e->Attribute("class", cls)) return e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("plot_history writes an SVG with one panel per metric, both curves, axes, a legend and the best epoch") {
  tkeras::testing::TempDir dir;
  const auto path = dir.path() / "history.svg";
  const std::string svg = tkeras::plot_history(scripted_history(), path, {.metrics = {"loss", "accuracy"}});

  tinyxml2::XMLDocument document;
  REQUIRE(document.LoadFile(path.c_str()) == tinyxml2::XML_SUCCESS);
  const tinyxml2::XMLElement* root = document.RootElement();
  CHECK(std::string(root->Name()) == "svg");
  CHECK(root->IntAttribute("width") == 960);

  int panels = 0;
  for (auto* g = root->FirstChildElement("g"); g != nullptr; g = g->NextSiblingElement("g")) {
    CAPTURE(g->Attribute("id"));
    ++panels;
    const tinyxml2::XMLElement* train = find(g, "polyline", "train");
    const tinyxml2::XMLElement* validation = find(g, "polyline", "validation");
    REQUIRE(train != nullptr);
    REQUIRE(validation != nullptr);
    CHECK(count_points(train->Attribute("points")) == 5);
    CHECK(count_points(validation->Attribute("points")) == 5);
    CHECK(std::string(find(g, "text", "xlabel")->GetText()) == "epoch");
    CHECK(find(g, "text", "ytick") != nullptr);
    CHECK(find(g, "g", "legend") != nullptr);
  }
  CHECK(panels == 2);
  // The lowest validation loss is at the third epoch; the highest validation accuracy at the fifth.
  CHECK(svg.find("best val_loss: epoch 3") != std::string::npos);
  CHECK(svg.find("best val_accuracy: epoch 5") != std::string::npos);
}

TEST_CASE("plot_history names the metrics a history has when asked for one it lacks") {
  tkeras::testing::TempDir dir;
  CHECK_THROWS_WITH_AS(tkeras::plot_history(scripted_history(), dir.path() / "h.svg", {.metrics = {"mae"}}),
                       "plot_history: no \"mae\" in the history; it has: accuracy, loss, val_accuracy, val_loss",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::plot_history(tkeras::History{}, dir.path() / "h.svg"),
                       "plot_history: expected a history with at least one epoch, received none", tkeras::Error);
}
