namespace NetTriage.Reporting.Tests;

/// <summary>Case files: JSON and YAML, key aliases, what is missing stays missing, and one-line errors naming the file and line.</summary>
public sealed class CaseFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-case-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Yaml_with_every_field()
    {
        var context = CaseFile.Parse("""
            case_id: IR-7
            title: Site down
            organisation: Example Ltd
            analyst: A. Analyst
            awareness: >
              Customers called
              the help desk.
            symptoms:
              - destination port unreachable
              - slow pages
            actions:
              - replicated the failure
            """, "case.yaml");
        Assert.Equal("IR-7", context.CaseId);
        Assert.Equal("Site down", context.Title);
        Assert.Equal("Example Ltd", context.Organisation);
        Assert.Equal("A. Analyst", context.Analyst);
        Assert.Equal("Customers called the help desk.", context.Awareness);
        Assert.Equal(["destination port unreachable", "slow pages"], context.Symptoms);
        Assert.Equal(["replicated the failure"], context.Actions);
    }

    [Fact]
    public void Json_with_every_field()
    {
        var context = CaseFile.Parse("""
            {
              "caseId": "IR-8", "title": "T", "organization": "O", "analyst": "A",
              "howTheTeamBecameAware": "customers", "symptoms": ["s1"], "actions": "one action", // a comment
            }
            """, "case.json");
        Assert.Equal("IR-8", context.CaseId);
        Assert.Equal("T", context.Title);
        Assert.Equal("O", context.Organisation);
        Assert.Equal("A", context.Analyst);
        Assert.Equal("customers", context.Awareness);
        Assert.Equal(["s1"], context.Symptoms);
        Assert.Equal(["one action"], context.Actions);
    }

    [Theory]
    [InlineData("{\"title\": \"x\"}", "notes.txt")]
    [InlineData("title: x", "notes.txt")]
    [InlineData("title: x", "case.yml")]
    public void Syntax_follows_the_extension_then_the_content(string text, string name) =>
        Assert.Equal("x", CaseFile.Parse(text, name).Title);

    [Fact]
    public void Missing_fields_stay_missing()
    {
        var context = CaseFile.Parse("title: Only a title\nanalyst: ~\norganisation: ''\nsymptoms: []\n", "case.yaml");
        Assert.Equal("Only a title", context.Title);
        Assert.Null(context.Analyst);
        Assert.Null(context.Organisation);
        Assert.Null(context.Awareness);
        Assert.Null(context.CaseId);
        Assert.Empty(context.Symptoms);
        Assert.Empty(context.Actions);
    }

    [Fact]
    public void Numbers_are_kept_as_written()
    {
        Assert.Equal("2023.10", CaseFile.Parse("case_id: 2023.10", "c.yaml").CaseId);
        Assert.Equal("42", CaseFile.Parse("{\"case_id\": 42}", "c.json").CaseId);
    }

    [Theory]
    [InlineData("case.yaml", "title: a\ncolour: red\n", "case.yaml: line 2: unknown field 'colour'")]
    [InlineData("case.yaml", "title: [unclosed\n", "case.yaml: line ")]
    [InlineData("case.yaml", "- a list\n- not a mapping\n", "case.yaml: line 1: must be a mapping")]
    [InlineData("case.yaml", "title: a\ntitle: b\n", "case.yaml: line 2:")]
    [InlineData("case.yaml", "title:\n  - a\n  - b\n", "case.yaml: line 1: field 'title' takes one value, not a list")]
    [InlineData("case.yaml", "symptoms:\n  - {a: b}\n", "case.yaml: line 2: field 'symptoms' must be a list of text")]
    [InlineData("case.yaml", "title: {a: b}\n", "field 'title' must be text or a list of text")]
    [InlineData("case.yaml", "", "case.yaml: holds no case fields")]
    [InlineData("case.yaml", "title: a\n---\ntitle: b\n", "holds more than one YAML document")]
    [InlineData("case.json", "{\"title\": \"a\",\n \"title\": \"b\"}", "field 'title' is given twice")]
    [InlineData("case.json", "{\"title\": \"a\"\n \"analyst\": \"b\"}", "case.json: line 2: not valid JSON")]
    [InlineData("case.json", "[1, 2]", "case.json: must hold one JSON object")]
    [InlineData("case.json", "{\"title\": {\"nested\": 1}}", "field 'title' must be text or a list of text")]
    public void Bad_files_give_one_line_naming_the_file(string name, string text, string expected)
    {
        var ex = Assert.Throws<CaseFileException>(() => CaseFile.Parse(text, name));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith(name + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_longer_than_the_cap_is_an_error()
    {
        var ex = Assert.Throws<CaseFileException>(() => CaseFile.Parse("title: " + new string('x', CaseFile.MaxValueLength + 1), "c.yaml"));
        Assert.Contains("longer than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_items_is_an_error()
    {
        var yaml = "actions:\n" + string.Concat(Enumerable.Range(0, CaseFile.MaxListItems + 1).Select(i => $"  - a{i}\n"));
        var ex = Assert.Throws<CaseFileException>(() => CaseFile.Parse(yaml, "c.yaml"));
        Assert.Contains("more than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_do_not_expand_into_a_flood()
    {
        // A YAML alias refers to one node; the value is read once, not copied (no "billion laughs").
        var context = CaseFile.Parse("title: &t Shared title\nanalyst: *t\n", "c.yaml");
        Assert.Equal("Shared title", context.Title);
        Assert.Equal("Shared title", context.Analyst);
    }

    [Fact]
    public void Control_characters_in_a_field_name_are_escaped_in_the_message()
    {
        var ex = Assert.Throws<CaseFileException>(() => CaseFile.Parse("{\"ti\\u001btle\": 1}", "c.json"));
        Assert.DoesNotContain('\u001b', ex.Message);
        Assert.Contains("\\x1B", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_reads_a_file()
    {
        var path = Write("case.yaml", "title: From disk\n");
        Assert.Equal("From disk", CaseFile.Load(path).Title);
    }

    [Fact]
    public void Load_names_a_missing_file()
    {
        var path = Path.Combine(_dir, "absent.yaml");
        var ex = Assert.Throws<CaseFileException>(() => CaseFile.Load(path));
        Assert.Equal(path + ": no such file", ex.Message);
    }

    [Fact]
    public void Load_refuses_a_directory() =>
        Assert.Contains("is a directory", Assert.Throws<CaseFileException>(() => CaseFile.Load(_dir)).Message, StringComparison.Ordinal);

    [Fact]
    public void Load_refuses_text_that_is_not_utf8()
    {
        var path = Path.Combine(_dir, "latin1.yaml");
        File.WriteAllBytes(path, [(byte)'t', (byte)':', (byte)' ', 0xE9, 0xFF, (byte)'\n']);
        Assert.Contains("not UTF-8", Assert.Throws<CaseFileException>(() => CaseFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_refuses_a_huge_file()
    {
        var path = Write("huge.yaml", "title: x\n" + new string('#', CaseFile.MaxFileBytes));
        Assert.Contains("larger than", Assert.Throws<CaseFileException>(() => CaseFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_seed_case_reads()
    {
        var context = CaseFile.Load(Path.Combine(NetTriage.Tests.Shared.TestPaths.Samples, "seed-case.yaml"));
        Assert.NotNull(context.Title);
        Assert.NotNull(context.Awareness);
        Assert.NotEmpty(context.Symptoms);
        Assert.NotEmpty(context.Actions);
    }
}
