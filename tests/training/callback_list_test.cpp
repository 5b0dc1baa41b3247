// Tests for CallbackList's defaults.
#include "tkeras/training/callback_list.h"

#include <doctest/doctest.h>

#include "tkeras/models/sequential.h"

TEST_CASE("a callback list adds a History unless one was given") {
  tkeras::Sequential model;
  const tkeras::callbacks::CallbackList added({}, model, {}, {.add_history = true});
  CHECK(added.history() != nullptr);

  auto mine = std::make_shared<tkeras::History>();
  const tkeras::callbacks::CallbackList given({mine}, model, {}, {.add_history = true});
  CHECK(given.history() == mine);
}

TEST_CASE("a callback list forwards hooks to every callback in order and attaches them to the model") {
  struct Note : tkeras::callbacks::Callback {
    std::string* log;
    char id;
    Note(std::string* l, char i) : log(l), id(i) {}
    void on_epoch_begin(int, const tkeras::Logs&) override { *log += id; }
  };
  std::string log;
  tkeras::Sequential model;
  auto a = std::make_shared<Note>(&log, 'a');
  auto b = std::make_shared<Note>(&log, 'b');
  tkeras::callbacks::CallbackList list({a, nullptr, b}, model, {.epochs = 3}, {});
  list.on_epoch_begin(0, {});
  CHECK(log == "ab");
  CHECK(&a->model() == &model);
  CHECK(b->params().epochs == 3);
  CHECK_FALSE(list.wants_batch_logs());
}
