/*
 * The resource types a snapshot holds: one row each, the only place they
 * are spelled. Include it after defining RESTYPE(...) to make what a stage
 * needs of them (an enum, a table, a switch), as jq's opcode_list.h does:
 *
 *   RESTYPE(enum, name, service, listing, items, id_field, display_field)
 *
 * name          the snapshot's "type" and a rule's "resource"
 * service       the AWS service, as the token after AWS_ in aws/endpoint.h
 * listing       the Describe call that lists them (botocore's service-2.json)
 * items         the member of its answer that holds the list
 * id_field      the member that identifies one: the snapshot's "id"
 * display_field the member shown as its name in reports
 *
 * A new row is a new resource type: the compiler then points at every
 * table that needs a row for it (they are sized RESTYPE_COUNT).
 */

/* clang-format off */
RESTYPE(RESTYPE_WORKSPACES_IMAGE, "workspaces_image", WORKSPACES,
        "DescribeWorkspaceImages", "Images", "ImageId", "Name")
RESTYPE(RESTYPE_APPSTREAM_IMAGE_BUILDER, "appstream_image_builder", APPSTREAM,
        "DescribeImageBuilders", "ImageBuilders", "Name", "DisplayName")
RESTYPE(RESTYPE_APPSTREAM_IMAGE, "appstream_image", APPSTREAM,
        "DescribeImages", "Images", "Name", "DisplayName")
/* clang-format on */
