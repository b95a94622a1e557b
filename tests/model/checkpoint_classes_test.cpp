// The class names of K-class checkpoints in their metadata (docs/spec.md section 6.4): written as
// the spec's JSON array, read back, and refused naming the file and the key when they do not fit
// the checkpoint's fc.weight.
#include "model/checkpoint_classes.h"

#include <catch2/catch.hpp>

namespace braincam::test {
namespace {

const ClassNames kFour{{"glioma", "meningioma", "notumor", "pituitary"}, "notumor"};

TEST_CASE("checkpoint classes: written as a JSON array and read back", "[checkpoint_classes]") {
  CheckpointMetadata metadata{{"format", "braincam-checkpoint-1"}};
  write_class_names(metadata, kFour);
  CHECK(metadata.at("classes") == R"(["glioma","meningioma","notumor","pituitary"])");
  CHECK(metadata.at("no_tumor_class") == "notumor");
  const ClassNames back = read_class_names(metadata, 4, "run/best.safetensors");
  CHECK(back.names == kFour.names);
  CHECK(back.no_tumor == "notumor");

  CheckpointMetadata without_no_tumor;
  write_class_names(without_no_tumor, {{"a", "b"}, ""});
  CHECK(without_no_tumor.count("no_tumor_class") == 0);
  CHECK(read_class_names(without_no_tumor, 2, "f").no_tumor.empty());
}

TEST_CASE("checkpoint classes: the binary model's files are as before", "[checkpoint_classes]") {
  CheckpointMetadata metadata{{"format", "braincam-checkpoint-1"}};
  write_class_names(metadata, {});
  CHECK(metadata.size() == 1);
  CHECK(read_class_names(metadata, 1, "f").names.empty());
  metadata["classes"] = R"(["a","b"])";
  CHECK_THROWS_WITH(read_class_names(metadata, 1, "f.safetensors"),
                    Catch::Contains("f.safetensors") && Catch::Contains("'classes'"));
}

TEST_CASE("checkpoint classes: names that do not fit are refused", "[checkpoint_classes]") {
  CheckpointMetadata metadata;
  CHECK_THROWS_WITH(write_class_names(metadata, {{"only"}, ""}),
                    Catch::Contains("at least two classes"));
  CHECK_THROWS_WITH(write_class_names(metadata, {{"a", "a"}, ""}), Catch::Contains("repeated"));
  CHECK_THROWS_WITH(write_class_names(metadata, {{"a", "b"}, "c"}),
                    Catch::Contains("'c' is not one of the classes"));
  CHECK_THROWS_WITH(
      read_class_names(metadata, 4, "m.safetensors"),
      Catch::Contains("m.safetensors") && Catch::Contains("needs metadata 'classes'"));
  metadata["classes"] = R"(["a","b","c"])";
  CHECK_THROWS_WITH(read_class_names(metadata, 4, "m"),
                    Catch::Contains("names 3 classes, fc.weight has 4 rows"));
  metadata["classes"] = "glioma,meningioma";
  CHECK_THROWS_WITH(read_class_names(metadata, 2, "m"), Catch::Contains("not a JSON array"));
  metadata["classes"] = R"(["a",2])";
  CHECK_THROWS_WITH(read_class_names(metadata, 2, "m"), Catch::Contains("not a JSON array"));
  metadata["classes"] = R"(["a","b"])";
  metadata["no_tumor_class"] = "none";
  CHECK_THROWS_WITH(read_class_names(metadata, 2, "m"),
                    Catch::Contains("'none' is not one of the classes"));
}

TEST_CASE("checkpoint classes: K is fc.weight's first dimension", "[checkpoint_classes]") {
  CHECK(fc_classes({{"fc.weight", Tensor::zeros({4, 7200}, DType::F32)}}, "f") == 4);
  CHECK(fc_classes({{"fc.weight", Tensor::zeros({1, 7200}, DType::F32)}}, "f") == 1);
  CHECK_THROWS_WITH(fc_classes({}, "f.safetensors"), Catch::Contains("missing tensor 'fc.weight'"));
  CHECK_THROWS_WITH(fc_classes({{"fc.weight", Tensor::zeros({7200}, DType::F32)}}, "f"),
                    Catch::Contains("must be K x inputs"));
}

}  // namespace
}  // namespace braincam::test
