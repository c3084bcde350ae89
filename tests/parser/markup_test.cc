// HTML and XML from a CMS read as text (markup.h): detection by content,
// tags, references, block elements and layout line breaks.

#include "ingest-service/parser/markup.h"

#include "gtest/gtest.h"
#include "ingest-service/parser/parse_submission.h"

namespace bulletin::parser {
namespace {

TEST(LooksLikeMarkupTest, KnowsHtmlXmlAndReferences) {
  EXPECT_TRUE(LooksLikeMarkup("<p>正文</p>"));
  EXPECT_TRUE(LooksLikeMarkup("标题<br>正文"));
  EXPECT_TRUE(LooksLikeMarkup("<?xml version=\"1.0\"?><a/>"));
  EXPECT_TRUE(LooksLikeMarkup("<headline>标题</headline>"));
  EXPECT_TRUE(LooksLikeMarkup("连日来,&ldquo;我市&rdquo;"));
  EXPECT_TRUE(LooksLikeMarkup("连日来&#12288;我市"));
  EXPECT_TRUE(LooksLikeMarkup("<!-- 注释 -->标题"));
}

TEST(LooksLikeMarkupTest, PlainTextWithAnglesOrAmpersandsIsNot) {
  EXPECT_FALSE(LooksLikeMarkup("区政协召开会议,学习全会精神。"));
  EXPECT_FALSE(LooksLikeMarkup("增长率 3<5 且 6>2"));
  EXPECT_FALSE(LooksLikeMarkup("R&D 投入 & 产出"));
  EXPECT_FALSE(LooksLikeMarkup("<未知> 书名号写成了尖括号"));
  EXPECT_FALSE(LooksLikeMarkup("&unknown; 不是字符引用"));
}

TEST(MarkupToTextTest, BlockElementsBreakLinesInlineOnesDoNot) {
  EXPECT_EQ(MarkupToText("<h1>标题</h1><p>区政协<strong>主席</strong>王君成"
                         "<span>主持</span></p>"),
            "\n标题\n\n区政协主席王君成主持\n");
  EXPECT_EQ(MarkupToText("第一段<br>第二段<br/>第三段"),
            "第一段\n第二段\n第三段");
}

TEST(MarkupToTextTest, DecodesNamedAndNumericReferences) {
  EXPECT_EQ(MarkupToText("&ldquo;十个坚持&rdquo;&mdash;&#8220;&#x201D;&amp;"),
            "“十个坚持”—“”&");
  EXPECT_EQ(MarkupToText("a&nbsp;b&emsp;c"), "a\u00A0b\u2003c");
  // Unknown or broken references stay as written; a NUL becomes a space.
  EXPECT_EQ(MarkupToText("&foo; &#xZZ; &#0;"), "&foo; &#xZZ;  ");
}

TEST(MarkupToTextTest, SourceLineBreaksInsideAParagraphAreLayout) {
  EXPECT_EQ(MarkupToText("<p>区人大常委会主任\n    叶建华主持。</p>"),
            "\n区人大常委会主任叶建华主持。\n");
  EXPECT_EQ(MarkupToText("<p>CPPCC\n  members</p>"), "\nCPPCC members\n");
  // Outside paragraphs (an XML export, a fragment) they are breaks.
  EXPECT_EQ(MarkupToText("标题\n正文&nbsp;"), "标题\n正文\u00A0");
}

TEST(MarkupToTextTest, DropsScriptsStylesCommentsAndTheHead) {
  EXPECT_EQ(MarkupToText("<html><head><title>网页标题</title></head><body>"
                         "<script>if (a < b) x = \"</p>\";</script>"
                         "<style>p{}</style><!-- 责任编辑 -->正文</body>"
                         "</html>"),
            "\n\n正文\n\n");
}

TEST(MarkupToTextTest, APageTitleBesideAnH1IsDropped) {
  EXPECT_EQ(MarkupToText("<title>标题_某某网</title><h1>标题</h1>"),
            "\n标题\n");
  // Without an h1 or a body, an XML export's <title> is its headline.
  EXPECT_EQ(MarkupToText("<title>标题</title><content>正文</content>"),
            "\n标题\n\n正文\n");
}

TEST(MarkupToTextTest, NavigationIsDropped) {
  EXPECT_EQ(MarkupToText("<nav>首页 &gt; 要闻</nav><aside>热点</aside>"
                         "<h1>标题</h1><footer>版权所有</footer>"),
            "\n标题\n");
}

TEST(MarkupToTextTest, MetadataFieldsOfAnXmlExportAreDropped) {
  EXPECT_EQ(MarkupToText("<doc><source>新疆日报</source><editor>王丽</editor>"
                         "<title>标题</title></doc>"),
            "\n\n标题\n\n");
  // HTML's void <source> and <link> close nothing: what follows stays.
  EXPECT_EQ(MarkupToText("<link rel=\"stylesheet\"><video><source src=\"a\">"
                         "</video><p>正文</p>"),
            "\n\n\n正文\n");
}

TEST(MarkupToTextTest, ReadsCdataAndEscapedMarkup) {
  EXPECT_EQ(MarkupToText("<content><![CDATA[<p>正文&ldquo;</p>]]></content>"),
            "\n\n\n正文“\n\n\n");
  EXPECT_EQ(MarkupToText("<content>&lt;p&gt;正文&lt;/p&gt;</content>"),
            "\n\n正文\n\n");
  EXPECT_EQ(MarkupToText("<p>&amp;ldquo;正文&amp;rdquo;&amp;nbsp;</p>"),
            "\n“正文”\u00A0\n");
}

TEST(MarkupToTextTest, KeepsAStrayAngleBracketAsText) {
  EXPECT_EQ(MarkupToText("<p>3 < 5</p>"), "\n3 < 5\n");
}

TEST(ParseSubmissionMarkupTest, ContentTypeOverridesDetection) {
  ParseOptions options;
  options.content_type = ParseOptions::ContentType::kPlainText;
  absl::StatusOr<ParsedSubmission> plain =
      ParseSubmission("<b>标题</b>\n正文。", options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->bulletin.headline(), "<b>标题</b>");
  options.content_type = ParseOptions::ContentType::kDetect;
  absl::StatusOr<ParsedSubmission> detected =
      ParseSubmission("<b>标题</b>\n正文。", options);
  ASSERT_TRUE(detected.ok());
  EXPECT_EQ(detected->bulletin.headline(), "标题");
  // The record keeps what was sent.
  EXPECT_EQ(detected->bulletin.source_text(), "<b>标题</b>\n正文。");
}

TEST(ContentTypeFromMimeTest, MapsTheTypesASubmitterMayState) {
  using Type = ParseOptions::ContentType;
  EXPECT_EQ(*ContentTypeFromMime(""), Type::kDetect);
  EXPECT_EQ(*ContentTypeFromMime("text/plain"), Type::kPlainText);
  EXPECT_EQ(*ContentTypeFromMime("Text/Plain; charset=GB18030"),
            Type::kPlainText);
  for (const char* markup : {"text/html", "application/xhtml+xml",
                             "application/xml", "text/xml; charset=utf-8"}) {
    EXPECT_EQ(*ContentTypeFromMime(markup), Type::kMarkup) << markup;
  }
  absl::StatusOr<Type> refused = ContentTypeFromMime("application/pdf");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("text/html"), std::string::npos);
}

TEST(ParseSubmissionMarkupTest, MarkupWithoutTextIsRefused) {
  EXPECT_EQ(ParseSubmission("<p>&nbsp;</p><br>", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin::parser
