"""Writes the generated reference part of docs/api.md from the protos.

Reads a FileDescriptorSet with source info (a buf image: `scripts/buf.sh
build -o IMAGE`) and the current docs/api.md, and prints docs/api.md with
the part between the two marker lines replaced by a reference of every
service, RPC, message, field and enum value of the files under
bulletin/v1/, made from the protos' own comments. Everything outside the
markers is hand-written and printed as it is.

  /usr/bin/python3 scripts/gen-api-docs.py IMAGE DOC > NEW_DOC

scripts/gen-api-docs.sh runs it (and checks, for CI, that the committed
docs/api.md is what it prints). Debian's python3-protobuf only.
"""

import re
import sys

from google.protobuf import descriptor_pb2

BEGIN_MARKER = ("<!-- BEGIN GENERATED REFERENCE: scripts/gen-api-docs.sh "
                "writes from here to the END marker, from the comments in "
                "proto/bulletin/v1; edit those, not this. -->")
END_MARKER = "<!-- END GENERATED REFERENCE -->"

PACKAGE_DIR = "bulletin/v1/"
# The files in reading order: the public services and what they carry
# first, then what only replicas and tools use. A file not listed comes
# after these, by name, so a new file is never left out.
FILE_ORDER = ["ingest.proto", "query.proto", "bulletin.proto", "log.proto",
              "feed.proto", "diagnostics.proto"]

# Source info paths (descriptor.proto's field numbers).
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE, FILE_SYNTAX = 4, 5, 6, 12
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM = 2, 3, 4
ENUM_VALUE = 2
SERVICE_METHOD = 2

# google.api.http on MethodOptions, and HttpRule's fields.
HTTP_EXTENSION = 72295728
HTTP_VERBS = {2: "GET", 3: "PUT", 4: "POST", 5: "DELETE", 6: "PATCH"}
HTTP_BODY = 7
HTTP_ADDITIONAL_BINDINGS = 11

FDP = descriptor_pb2.FieldDescriptorProto
SCALAR_NAMES = {
    FDP.TYPE_DOUBLE: "double", FDP.TYPE_FLOAT: "float",
    FDP.TYPE_INT64: "int64", FDP.TYPE_UINT64: "uint64",
    FDP.TYPE_INT32: "int32", FDP.TYPE_FIXED64: "fixed64",
    FDP.TYPE_FIXED32: "fixed32", FDP.TYPE_BOOL: "bool",
    FDP.TYPE_STRING: "string", FDP.TYPE_BYTES: "bytes",
    FDP.TYPE_UINT32: "uint32", FDP.TYPE_SFIXED32: "sfixed32",
    FDP.TYPE_SFIXED64: "sfixed64", FDP.TYPE_SINT32: "sint32",
    FDP.TYPE_SINT64: "sint64",
}


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def wire_fields(data):
    """Yields (number, value) for each field of a serialized message;
    value is bytes for length-delimited fields, an int otherwise."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = read_varint(data, pos)
        elif wire_type == 1:
            value, pos = int.from_bytes(data[pos:pos + 8], "little"), pos + 8
        elif wire_type == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire_type == 5:
            value, pos = int.from_bytes(data[pos:pos + 4], "little"), pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        yield number, value


def http_routes(method):
    """The google.api.http route of a method, as ("POST /v1/x", body)
    pairs (the rule and its additional_bindings)."""
    routes = []

    def read_rule(rule):
        verb, path, body, bindings = None, None, "", []
        for number, value in wire_fields(rule):
            if number in HTTP_VERBS:
                verb, path = HTTP_VERBS[number], value.decode()
            elif number == HTTP_BODY:
                body = value.decode()
            elif number == HTTP_ADDITIONAL_BINDINGS:
                bindings.append(value)
        if verb:
            routes.append((f"{verb} {path}", body))
        for binding in bindings:
            read_rule(binding)

    for number, value in wire_fields(method.options.SerializeToString()):
        if number == HTTP_EXTENSION:
            read_rule(value)
    return routes


class Comments:
    """The comments of one file, by source info path."""

    def __init__(self, file):
        self.by_path = {tuple(location.path): location
                        for location in file.source_code_info.location}

    def leading(self, path):
        location = self.by_path.get(tuple(path))
        if location is None:
            return ""
        text = location.leading_comments
        if location.trailing_comments.strip():
            text = (text + "\n" if text else "") + location.trailing_comments
        return text

    def file_comment(self):
        location = self.by_path.get((FILE_SYNTAX,))
        if location is None:
            return ""
        parts = list(location.leading_detached_comments)
        if location.leading_comments:
            parts.append(location.leading_comments)
        return "\n".join(parts)


def comment_lines(text):
    """The comment's lines with the one space after // removed."""
    lines = [line[1:] if line.startswith(" ") else line
             for line in text.rstrip("\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def as_blocks(text):
    """Markdown for a comment: its paragraphs joined into lines, and its
    indented runs (lists of error codes) kept as they are, in a block."""
    out, paragraph, indented = [], [], []

    def flush_paragraph():
        if paragraph:
            out.append(" ".join(paragraph))
            out.append("")
            paragraph.clear()

    def flush_indented():
        if indented:
            out.append("```text")
            out.extend(indented)
            out.append("```")
            out.append("")
            indented.clear()

    for line in comment_lines(text):
        if line.startswith("  ") and line.strip():
            flush_paragraph()
            indented.append(line[2:].rstrip())
        elif not line.strip():
            flush_paragraph()
            flush_indented()
        else:
            flush_indented()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_indented()
    return out


def as_cell(text):
    """A comment in one table cell: paragraphs and indented lines kept
    apart with <br>, pipes escaped."""
    cell, paragraph = [], []
    for line in comment_lines(text):
        if not line.strip() or line.startswith("  "):
            if paragraph:
                cell.append(" ".join(paragraph))
                paragraph = []
            if line.strip():
                cell.append(line.strip())
        else:
            paragraph.append(line.strip())
    if paragraph:
        cell.append(" ".join(paragraph))
    return "<br>".join(cell).replace("|", "\\|")


def anchor(full_name):
    """An HTML id for a type or file: its full name ("bulletin.v1.Hit"),
    or a file's path with dashes ("bulletin-v1-query.proto")."""
    return full_name.lstrip(".").replace("/", "-")


class Reference:
    def __init__(self, files):
        self.files = files
        # Full names (".bulletin.v1.Hit") of the types documented here,
        # which type references link to.
        self.local_types = set()
        self.map_entries = {}
        for file in files:
            prefix = "." + file.package
            for message in file.message_type:
                self._collect(prefix, message)
            for enum in file.enum_type:
                self.local_types.add(f"{prefix}.{enum.name}")

    def _collect(self, prefix, message):
        name = f"{prefix}.{message.name}"
        if message.options.map_entry:
            self.map_entries[name] = message
            return
        self.local_types.add(name)
        for nested in message.nested_type:
            self._collect(name, nested)
        for enum in message.enum_type:
            self.local_types.add(f"{name}.{enum.name}")

    def type_link(self, full_name):
        shown = full_name.lstrip(".")
        if shown.startswith("bulletin.v1."):
            shown = shown[len("bulletin.v1."):]
        if full_name in self.local_types:
            return f"[`{shown}`](#{anchor(full_name)})"
        return f"`{shown}`"

    def field_type(self, field):
        if field.type_name in self.map_entries:
            entry = self.map_entries[field.type_name]
            key, value = entry.field[0], entry.field[1]
            return f"map<{self.field_type(key)}, {self.field_type(value)}>"
        if field.type in (FDP.TYPE_MESSAGE, FDP.TYPE_ENUM):
            shown = self.type_link(field.type_name)
        else:
            shown = f"`{SCALAR_NAMES[field.type]}`"
        if field.label == FDP.LABEL_REPEATED:
            return f"repeated {shown}"
        if field.proto3_optional:
            return f"optional {shown}"
        return shown

    def render(self):
        out = ["## Reference", ""]
        out += ["Every service, RPC, message, field and enum value of "
                "`proto/bulletin/v1`, in the protos' own words. Types link "
                "to their definitions; field names are also the JSON names "
                "(`--json`, HTTP bodies).", ""]
        for file in self.files:
            out.append(f"- [`{file.name}`](#{anchor(file.name)})")
            for service in file.service:
                out.append(f"  - service [`{service.name}`]"
                           f"(#{anchor(file.package + '.' + service.name)})")
        out.append("")
        for file in self.files:
            out += self.render_file(file)
        return out

    def render_file(self, file):
        comments = Comments(file)
        out = [f'<a id="{anchor(file.name)}"></a>', "",
               f"### {file.name}", ""]
        out += as_blocks(comments.file_comment())
        for index, service in enumerate(file.service):
            out += self.render_service(file, comments, index, service)
        for index, message in enumerate(file.message_type):
            out += self.render_message(comments, f".{file.package}",
                                       [FILE_MESSAGE, index], message)
        for index, enum in enumerate(file.enum_type):
            out += self.render_enum(comments, f".{file.package}",
                                    [FILE_ENUM, index], enum)
        return out

    def render_service(self, file, comments, index, service):
        path = [FILE_SERVICE, index]
        full_name = f"{file.package}.{service.name}"
        out = [f'<a id="{full_name}"></a>', "",
               f"#### service {service.name}", ""]
        out += as_blocks(comments.leading(path))
        for method_index, method in enumerate(service.method):
            request = ("stream " if method.client_streaming else "") + \
                self.type_link(method.input_type)
            response = ("stream " if method.server_streaming else "") + \
                self.type_link(method.output_type)
            out += [f'<a id="{full_name}.{method.name}"></a>', "",
                    f"##### {service.name}.{method.name}", ""]
            out += [f"`rpc {method.name}` ({request}) returns ({response})",
                    ""]
            for route, body in http_routes(method):
                if body == "*":
                    source = "the request is the JSON body"
                elif body:
                    source = f"`{body}` is the JSON body"
                else:
                    source = "request fields from the path and query parameters"
                out += [f"HTTP: `{route}` ({source})", ""]
            out += as_blocks(comments.leading(
                path + [SERVICE_METHOD, method_index]))
        return out

    def render_message(self, comments, prefix, path, message):
        full_name = f"{prefix}.{message.name}"
        if message.options.map_entry:
            return []
        shown = full_name[len(".bulletin.v1."):]
        out = [f'<a id="{anchor(full_name)}"></a>', "",
               f"#### message {shown}", ""]
        out += as_blocks(comments.leading(path))
        oneofs = [oneof.name for oneof in message.oneof_decl]
        if message.field:
            out += ["| field | number | type | description |",
                    "|---|---:|---|---|"]
            for index, field in enumerate(message.field):
                note = as_cell(comments.leading(path + [MESSAGE_FIELD,
                                                        index]))
                if field.HasField("oneof_index") and not \
                        field.proto3_optional:
                    one_of = f"One of `{oneofs[field.oneof_index]}`."
                    note = f"{one_of} {note}".strip()
                out.append(f"| `{field.name}` | {field.number} | "
                           f"{self.field_type(field)} | {note} |")
            out.append("")
        else:
            out += ["No fields.", ""]
        reserved = [str(r.start) if r.end == r.start + 1
                    else f"{r.start} to {r.end - 1}"
                    for r in message.reserved_range]
        reserved += [f"`{name}`" for name in message.reserved_name]
        if reserved:
            out += ["Reserved (never to be reused): " + ", ".join(reserved)
                    + ".", ""]
        for index, enum in enumerate(message.enum_type):
            out += self.render_enum(comments, full_name,
                                    path + [MESSAGE_ENUM, index], enum)
        for index, nested in enumerate(message.nested_type):
            out += self.render_message(comments, full_name,
                                       path + [MESSAGE_NESTED, index],
                                       nested)
        return out

    def render_enum(self, comments, prefix, path, enum):
        full_name = f"{prefix}.{enum.name}"
        shown = full_name[len(".bulletin.v1."):]
        out = [f'<a id="{anchor(full_name)}"></a>', "",
               f"#### enum {shown}", ""]
        out += as_blocks(comments.leading(path))
        out += ["| value | number | description |", "|---|---:|---|"]
        for index, value in enumerate(enum.value):
            note = as_cell(comments.leading(path + [ENUM_VALUE, index]))
            out.append(f"| `{value.name}` | {value.number} | {note} |")
        out.append("")
        return out


def documented_files(image):
    files = [file for file in image.file
             if file.name.startswith(PACKAGE_DIR)]

    def order(file):
        base = file.name[len(PACKAGE_DIR):]
        if base in FILE_ORDER:
            return (FILE_ORDER.index(base), base)
        return (len(FILE_ORDER), base)

    return sorted(files, key=order)


def main(image_path, doc_path):
    image = descriptor_pb2.FileDescriptorSet()
    with open(image_path, "rb") as f:
        image.ParseFromString(f.read())
    files = documented_files(image)
    if not files:
        sys.exit(f"{image_path} holds no {PACKAGE_DIR} files")
    if not any(file.source_code_info.location for file in files):
        sys.exit(f"{image_path} has no source info: build it with comments")
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    pattern = re.compile(re.escape(BEGIN_MARKER) + r"\n.*?" +
                         re.escape(END_MARKER) + r"\n", re.S)
    if len(pattern.findall(doc)) != 1:
        sys.exit(f"{doc_path} needs exactly one pair of marker lines:\n"
                 f"{BEGIN_MARKER}\n{END_MARKER}")
    reference = "\n".join(Reference(files).render()).rstrip("\n")
    generated = f"{BEGIN_MARKER}\n\n{reference}\n\n{END_MARKER}\n"
    sys.stdout.write(pattern.sub(lambda _: generated, doc))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
