// CSV fields (RFC 4180), as manifest.csv and `braincam predict --format csv` write them.
#include "data/csv_field.h"

#include <catch2/catch.hpp>

using namespace braincam::data;

TEST_CASE("csv: fields are quoted where they need it, inner quotes doubled", "[data][csv]") {
  CHECK(csv_field("yes/Y1.jpg") == "yes/Y1.jpg");
  CHECK(csv_field("a,b.jpg") == "\"a,b.jpg\"");
  CHECK(csv_field("say \"hi\".jpg") == "\"say \"\"hi\"\".jpg\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_quoted("plain") == "\"plain\"");
  CHECK(csv_quoted("q\"uo,te.jpg") == "\"q\"\"uo,te.jpg\"");
}
