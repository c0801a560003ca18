"""The demo contest loaded by seed_demo: a short real question bank on digital skills, one
contest with its weekly round open now, and a few attempts so the leaderboard has rows."""

import datetime
import random

from django.utils import timezone

from accounts.models import User
from quiz.bank import BankRow
from quiz.models import Choice, Contest, Question, Round
from quiz.services.attempts import save_answer, start_attempt, submit_attempt
from quiz.services.bank import import_bank

SAFETY, SERVICES, PAYMENT, AI, POLICY = (
    "An toàn trên mạng",
    "Dịch vụ công trực tuyến",
    "Thanh toán không dùng tiền mặt",
    "Trí tuệ nhân tạo",
    "Chủ trương, chính sách",
)

# text, topic, difficulty, [(choice, correct)], explanation
QUESTIONS = [
    ("Muốn phản ánh cuộc gọi rác, cuộc gọi lừa đảo, người dân gọi tổng đài nào?", SAFETY, 1,
     [("156", True), ("113", False), ("114", False), ("115", False)],
     "Tổng đài 156 tiếp nhận phản ánh cuộc gọi rác, lừa đảo; 113 là công an, 114 cứu hỏa, "
     "115 cấp cứu."),
    ("Tin nhắn rác, tin nhắn lừa đảo được phản ánh bằng cách nhắn tới đầu số nào?", SAFETY, 1,
     [("5656", True), ("1900", False), ("9999", False), ("113", False)],
     "Soạn tin theo hướng dẫn và gửi 5656 để phản ánh tin nhắn rác, lừa đảo."),
    ("Ứng dụng định danh điện tử quốc gia do Bộ Công an phát triển có tên là gì?", SERVICES, 1,
     [("VNeID", True), ("VssID", False), ("Zalo", False), ("Sổ sức khỏe điện tử", False)],
     "VNeID là ứng dụng định danh điện tử quốc gia; VssID là ứng dụng bảo hiểm xã hội."),
    ("Địa chỉ của Cổng Dịch vụ công quốc gia là gì?", SERVICES, 1,
     [("dichvucong.gov.vn", True), ("dichvucong.com.vn", False), ("congdichvu.vn", False),
      ("dvc.net.vn", False)],
     "Trang chính thức có tên miền .gov.vn: dichvucong.gov.vn."),
    ("Tin nhắn tự xưng ngân hàng kèm đường link, yêu cầu “cập nhật thông tin”. Nên làm gì?",
     SAFETY, 2,
     [("Không bấm link; gọi tổng đài in trên thẻ hoặc ra quầy để hỏi", True),
      ("Bấm link và điền thông tin cho nhanh", False),
      ("Trả lời tin nhắn để hỏi lại", False),
      ("Chuyển tiếp cho người thân điền giúp", False)],
     "Ngân hàng không gửi đường link yêu cầu nhập mật khẩu hay mã OTP."),
    ("Mã OTP ngân hàng gửi về điện thoại có được đọc cho người khác không?", SAFETY, 1,
     [("Không, trong mọi trường hợp", True),
      ("Được, nếu người đó xưng là nhân viên ngân hàng", False),
      ("Được, nếu người đó xưng là công an", False),
      ("Được, nếu là để nhận quà", False)],
     "Ai hỏi mã OTP đều là kẻ gian: OTP chỉ để chính bạn xác nhận giao dịch."),
    ("Những cách nào là thanh toán không dùng tiền mặt?", PAYMENT, 2,
     [("Quét mã QR bằng ứng dụng ngân hàng", True),
      ("Chuyển khoản trên ứng dụng ngân hàng", True),
      ("Quẹt thẻ ngân hàng", True),
      ("Trả tiền giấy cho người bán", False)],
     "Quét QR, chuyển khoản và thẻ đều là thanh toán không dùng tiền mặt."),
    ("Mật khẩu nào an toàn hơn cả?", SAFETY, 2,
     [("Một câu dài nhiều từ kèm số, ký hiệu, không dùng lại ở nơi khác", True),
      ("Ngày sinh của mình", False), ("123456", False), ("Số điện thoại của mình", False)],
     "Mật khẩu dài, riêng cho từng tài khoản, khó đoán hơn ngày sinh hay số điện thoại."),
    ("Bật xác thực hai lớp cho tài khoản giúp được gì?", SAFETY, 2,
     [("Kẻ gian biết mật khẩu vẫn chưa đăng nhập được", True),
      ("Điện thoại chạy nhanh hơn", False), ("Không cần mật khẩu nữa", False),
      ("Tự động chặn mọi cuộc gọi lạ", False)],
     "Lớp thứ hai (mã gửi về máy, vân tay) chặn kẻ chỉ lấy được mật khẩu."),
    ("Khi dùng trợ lý trí tuệ nhân tạo (chatbot), điều nào đúng?", AI, 2,
     [("Cần kiểm tra lại thông tin quan trọng vì AI có thể trả lời sai", True),
      ("AI luôn trả lời đúng", False), ("Câu trả lời của AI là văn bản pháp lý", False),
      ("Không cần đọc lại câu trả lời", False)],
     "AI có thể “bịa” thông tin; số liệu, quy định phải đối chiếu nguồn chính thức."),
    ("Không nên đưa thông tin nào vào công cụ AI công cộng?", AI, 3,
     [("Dữ liệu cá nhân của người dân và tài liệu mật của cơ quan", True),
      ("Câu hỏi chung về cách viết thư mời", False),
      ("Yêu cầu tóm tắt một bài báo đã đăng", False),
      ("Câu hỏi về cách dùng bảng tính", False)],
     "Dữ liệu đưa vào công cụ công cộng có thể bị lưu và dùng lại."),
    ("Nghị quyết 57-NQ/TW của Bộ Chính trị (12/2024) về lĩnh vực nào?", POLICY, 3,
     [("Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
       True),
      ("Phát triển du lịch cộng đồng", False), ("Xây dựng nông thôn mới", False),
      ("Cải cách tiền lương", False)],
     "Nghị quyết 57-NQ/TW ngày 22/12/2024 về khoa học, công nghệ, đổi mới sáng tạo và "
     "chuyển đổi số."),
    ("Phong trào “Bình dân học vụ số” nhằm mục đích gì?", POLICY, 1,
     [("Phổ cập kiến thức, kỹ năng số cơ bản cho mọi người dân", True),
      ("Dạy chữ cho người chưa biết đọc", False), ("Bán điện thoại giá rẻ", False),
      ("Thay thế trường học", False)],
     "Phong trào giúp mọi người dân có kỹ năng số cơ bản để dùng dịch vụ số."),
    ("Ngày Chuyển đổi số quốc gia là ngày nào hằng năm?", POLICY, 2,
     [("10/10", True), ("2/9", False), ("26/3", False), ("20/11", False)],
     "Thủ tướng chọn ngày 10/10 hằng năm là Ngày Chuyển đổi số quốc gia."),
    ("Nộp hồ sơ trên Cổng Dịch vụ công xong, theo dõi tiến độ hồ sơ bằng gì?", SERVICES, 2,
     [("Mã hồ sơ được cấp khi nộp", True), ("Số căn cước của cán bộ tiếp nhận", False),
      ("Không theo dõi được", False), ("Gọi 113", False)],
     "Mã hồ sơ dùng để tra cứu tiến độ trên Cổng hoặc trong tài khoản của bạn."),
    ("Người gọi điện xưng công an, yêu cầu chuyển tiền “phục vụ điều tra”. Nên làm gì?", SAFETY,
     3,
     [("Không chuyển tiền, cúp máy, báo công an xã", True),
      ("Chuyển ngay để tránh rắc rối", False), ("Chuyển một nửa số tiền", False),
      ("Đọc số tài khoản của mình để họ kiểm tra", False)],
     "Công an không yêu cầu chuyển tiền qua điện thoại."),
    ("Dấu hiệu nào cho thấy một trang web có thể là giả mạo?", SAFETY, 3,
     [("Địa chỉ sai chính tả so với trang thật", True),
      ("Đòi nhập mã OTP để nhận quà", True),
      ("Tên miền đúng của cơ quan nhà nước, đuôi .gov.vn", False),
      ("Được mở từ dấu trang bạn tự lưu", False)],
     "Trang giả thường có địa chỉ gần giống trang thật và đòi mã OTP, mật khẩu."),
    ("Tên miền trang thông tin của cơ quan nhà nước Việt Nam thường kết thúc bằng gì?", SERVICES,
     1,
     [(".gov.vn", True), (".com", False), (".net", False), (".xyz", False)],
     "Cơ quan nhà nước dùng tên miền .gov.vn."),
]  # fmt: skip

CONTEST_SLUG = "tim-hieu-chuyen-doi-so-2025"


def load_bank() -> int:
    """Add the demo questions that are not in the bank yet."""
    known = set(Question.objects.values_list("text", flat=True))
    rows = [
        BankRow(
            row=n,
            text=text,
            topics=[topic],
            difficulty=level,
            choices=choices,
            explanation=explanation,
        )  # fmt: skip
        for n, (text, topic, level, choices, explanation) in enumerate(QUESTIONS, start=1)
        if text not in known
    ]
    return import_bank(rows)


def load_demo_contest(*, now: datetime.datetime, players: list[User]) -> Round:
    """The contest with this week's round (Monday 10:00 → next Monday 09:00, local time)
    and, the first time, an attempt by each of `players`."""
    load_bank()
    contest, _ = Contest.objects.update_or_create(
        slug=CONTEST_SLUG,
        defaults={
            "title": "Tìm hiểu chuyển đổi số tỉnh Tuyên Quang năm 2025",
            "rules": (
                "Mỗi vòng thi kéo dài một tuần. Mỗi lượt thi gồm 10 câu hỏi, làm trong 15 phút; "
                "mỗi người được thi 3 lượt, lượt có điểm cao nhất (nếu bằng nhau, lượt sớm hơn) "
                "được tính. Xếp hạng theo điểm, rồi theo độ chính xác của câu dự đoán, rồi "
                "theo thời gian làm bài. Thành viên ban tổ chức không được dự thi."
            ),
            "is_published": True,
        },
    )
    local = timezone.localtime(now)
    monday = (local - datetime.timedelta(days=local.weekday())).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    if monday > local:
        monday -= datetime.timedelta(days=7)
    round_, _ = Round.objects.update_or_create(
        contest=contest,
        number=1,
        defaults={
            "opens_at": monday,
            "closes_at": monday + datetime.timedelta(days=6, hours=23),
            "questions_per_attempt": 10,
            "time_limit_minutes": 15,
            "attempts_allowed": 3,
        },
    )
    if not round_.attempts.exists():
        rng = random.Random(2025)
        for player in players:
            began = max(round_.opens_at, now - datetime.timedelta(hours=rng.randint(1, 48)))
            attempt = start_attempt(player, round_=round_, now=began, rng=rng)
            for item in attempt.drawn.all():
                choices = list(Choice.objects.filter(question_id=item.question_id))
                right = [c.pk for c in choices if c.is_correct]
                pick = right if rng.random() < 0.75 else [rng.choice(choices).pk]
                save_answer(attempt, question_id=item.question_id, choice_ids=pick, now=began)
            took = datetime.timedelta(seconds=rng.randint(90, 800))
            submit_attempt(attempt, prediction=rng.randint(20, 80), now=began + took)
    return round_
