# Writes two of Jane Austen's novels, from Debian's r-cran-janeaustenr (Project Gutenberg's text),
# as a folder of labelled passages for text_dataset_from_directory and the text lesson's app
# (tkeras-text): DIR/pride_and_prejudice/NNNN.txt and DIR/sense_and_sensibility/NNNN.txt, one
# paragraph per file (its lines joined by spaces), chapter headings and section breaks left out.
#
# Usage: Rscript scripts/austen_passages.R DIR
out <- commandArgs(trailingOnly = TRUE)[1]
if (is.na(out)) stop("usage: Rscript scripts/austen_passages.R DIR")
library(janeaustenr)
books <- c(pride_and_prejudice = "prideprejudice", sense_and_sensibility = "sensesensibility")
for (label in names(books)) {
  lines <- get(books[[label]])
  paragraph <- cumsum(lines == "")
  kept <- lines != ""
  passages <- unname(vapply(split(lines[kept], paragraph[kept]), paste, "", collapse = " "))
  passages <- passages[!grepl("^(CHAPTER|Chapter) [0-9IVXLC]+\\.?$", passages)]
  # Section breaks ("* * * * *") hold no words: a text of padding only has no mean to pool.
  passages <- passages[grepl("[[:alpha:]]", passages)]
  folder <- file.path(out, label)
  dir.create(folder, recursive = TRUE, showWarnings = FALSE)
  for (i in seq_along(passages)) writeLines(passages[[i]], file.path(folder, sprintf("%04d.txt", i)), useBytes = TRUE)
  cat(sprintf("setup: %d passages of %s in %s\n", length(passages), label, folder))
}
